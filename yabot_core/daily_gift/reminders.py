"""Lucien's evening reminder: fans who asked for it hear, once a day, that today's gift still waits.

One durable timer per fan (key ``daily_gift:remind:<user>``) is due at the reminder hour of the next evening
that still matters; when it fires, the fan is reminded unless they claimed that day or were reminded already,
and the timer is set for the next evening. The message goes through Lucien's durable schedule under the key
``daily-gift-reminder:<user>:<day>``: a redelivered timer, or a crash between the message and the mark,
never reminds twice, and never loses the day's reminder either.
"""

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from yabot_core.daily_gift.models import DailyClaim, ReminderSetting, day_of
from yabot_core.daily_gift.ports import DailyGiftQueries, DailyGiftUnitOfWork
from yabot_core.kernel import Clock, TimerFired, Transactions, UserId, checked_user_id, new_timer
from yabot_core.lucien import Lucien

REMINDER_TIMER: Final = "daily_gift.reminder"
"""The kind of the fans' evening reminder timers."""
REMINDER_TEXT: Final = "daily-gift-reminder"
"""Lucien's words for the reminder."""


def _timer_key(user_id: UserId) -> str:
    return f"daily_gift:remind:{user_id}"


class DailyGiftReminders:
    """Turns a fan's evening reminder on or off, and sends it when its timer fires."""

    def __init__(
        self,
        transactions: Transactions[DailyGiftUnitOfWork],
        queries: DailyGiftQueries,
        lucien: Lucien,
        *,
        clock: Clock,
        zone: tzinfo,
        hour: int,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._lucien = lucien
        self._clock = clock
        self.zone = zone
        self.hour = hour

    async def setting(self, user_id: UserId) -> ReminderSetting | None:
        """The fan's committed choice, or ``None`` if they never chose (reminders are off then)."""
        return await self._queries.reminder(checked_user_id(user_id))

    async def set_reminders(self, user_id: UserId, *, enabled: bool) -> ReminderSetting:
        """Turn the fan's evening reminder on (its timer set for the next evening that matters) or off."""
        user = checked_user_id(user_id)

        async def work(uow: DailyGiftUnitOfWork) -> ReminderSetting:
            current = await uow.daily_gifts.reminder(user)
            setting = ReminderSetting(
                user_id=user,
                enabled=enabled,
                reminded_day=current.reminded_day if current is not None else None,
                version=(current.version if current is not None else 0) + 1,
            )
            await uow.daily_gifts.save_reminder(setting)
            if enabled:
                await self._schedule_next(uow, user, await uow.daily_gifts.last_claim(user))
            else:
                await uow.timers.cancel(_timer_key(user))
            return setting

        return await self._transactions.run(work)

    async def on_reminder_due(self, event: TimerFired) -> None:
        """Remind the fan of ``day``'s gift if still due, and set the timer for the next evening."""
        user = UserId(int(str(event.payload.get("user_id", 0))))
        day = date.fromisoformat(str(event.payload.get("day")))
        setting = await self._queries.reminder(user)
        if setting is None or not setting.enabled:
            return
        last = await self._queries.last_claim(user)
        today = day_of(self._clock.now(), self.zone)
        due = day == today and setting.reminded_day != day and (last is None or last.day < day)
        if due:  # first the message, idempotent by its key; then the mark
            await self._lucien.schedule(
                user, REMINDER_TEXT, key=f"daily-gift-reminder:{user}:{day.isoformat()}"
            )

        async def work(uow: DailyGiftUnitOfWork) -> None:
            current = await uow.daily_gifts.reminder(user)
            if current is None or not current.enabled:
                return
            if due and current.reminded_day != day:
                await uow.daily_gifts.save_reminder(
                    current.model_copy(update={"reminded_day": day, "version": current.version + 1})
                )
            await self._schedule_next(uow, user, await uow.daily_gifts.last_claim(user))

        await self._transactions.run(work)

    async def _schedule_next(self, uow: DailyGiftUnitOfWork, user: UserId, last: DailyClaim | None) -> None:
        """Set the fan's timer for this evening if still ahead and today's gift waits, else for tomorrow's."""
        now = self._clock.now()
        today = day_of(now, self.zone)
        day = today
        if now >= self._evening(today) or (last is not None and last.day >= today):
            day = today + timedelta(days=1)
        timer = new_timer(
            _timer_key(user),
            REMINDER_TIMER,
            self._evening(day),
            now=now,
            payload={"user_id": user, "day": day.isoformat()},
            user_id=user,
        )
        await uow.timers.schedule(timer)

    def _evening(self, day: date) -> datetime:
        return datetime.combine(day, time(self.hour), tzinfo=self.zone)
