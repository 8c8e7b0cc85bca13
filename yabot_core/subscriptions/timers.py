"""A VIP's durable timers: its expiry and the reminders 72 h and 24 h before, moved with every change.

Every change to a fan's VIP cancels the timers of the end it had and schedules those of the end it has, in
the same unit of work. A timer's key names the fan, the period and the end it was set for, so a renewal
never fires an old reminder, and a :class:`TimerFired` that was already on its way when the end moved is
recognized as stale (:func:`current_for`) and does nothing.
"""

from datetime import datetime, timedelta
from typing import Final

from pydantic import JsonValue

from yabot_core.kernel import TimerFired, TimersUnitOfWork, UserId, new_timer
from yabot_core.subscriptions.models import Subscription

EXPIRY_TIMER: Final = "subscriptions.expiry"
"""The kind of the timer that closes a VIP when its time runs out."""
REMINDER_TIMER: Final = "subscriptions.reminder"
"""The kind of the timers that remind a fan their VIP is about to end."""
REMINDERS: Final = (timedelta(hours=72), timedelta(hours=24))
"""How long before the end each reminder goes out (one that would be due already is not scheduled)."""


def _key(subscription: Subscription, what: str) -> str:
    end = int(subscription.vip_until.timestamp())
    return f"vip:{subscription.user_id}:{subscription.period_sequence}:{end}:{what}"


def _payload(subscription: Subscription, **more: JsonValue) -> dict[str, JsonValue]:
    return {
        "user_id": subscription.user_id,
        "period": subscription.period_sequence,
        "until": subscription.vip_until.isoformat(),
        **more,
    }


def _keys(subscription: Subscription) -> list[str]:
    return [_key(subscription, "expiry"), *(_key(subscription, _hours(before)) for before in REMINDERS)]


def _hours(before: timedelta) -> str:
    return f"{int(before.total_seconds()) // 3600}h"


async def move_timers(
    uow: TimersUnitOfWork, before: Subscription | None, after: Subscription, now: datetime
) -> None:
    """Cancel the timers of ``before``'s end and schedule those of ``after``'s (if its period is open)."""
    if before is not None and before.ended_at is None:
        for key in _keys(before):
            await uow.timers.cancel(key)
    if after.ended_at is not None:
        return
    user = after.user_id
    expiry = new_timer(
        _key(after, "expiry"), EXPIRY_TIMER, after.vip_until, now=now, payload=_payload(after), user_id=user
    )
    await uow.timers.schedule(expiry)
    for before_end in REMINDERS:
        due = after.vip_until - before_end
        if due <= now:
            continue  # too late for this one: the next (or the expiry) speaks instead
        hours = int(before_end.total_seconds()) // 3600
        reminder = new_timer(
            _key(after, _hours(before_end)),
            REMINDER_TIMER,
            due,
            now=now,
            payload=_payload(after, hours=hours),
            user_id=user,
        )
        await uow.timers.schedule(reminder)


def timer_user(event: TimerFired) -> UserId:
    """The fan a subscription timer is about."""
    return UserId(int(str(event.payload.get("user_id", 0))))


def current_for(subscription: Subscription | None, event: TimerFired) -> bool:
    """Whether ``event`` was set for ``subscription`` as it stands (same period, same end, still open)."""
    if subscription is None or subscription.ended_at is not None:
        return False
    try:
        until = datetime.fromisoformat(str(event.payload.get("until")))
    except ValueError:
        return False
    return event.payload.get("period") == subscription.period_sequence and until == subscription.vip_until
