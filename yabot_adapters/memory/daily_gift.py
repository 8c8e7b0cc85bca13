"""Daily gift claims in memory: the daily gift module's slice."""

from dataclasses import dataclass, field
from datetime import date

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.daily_gift import DailyClaim, DailyGiftQueries, DailyGiftRepository, ReminderSetting
from yabot_core.kernel import ConcurrentUpdateError, UserId


@dataclass
class DailyGiftState:
    """Committed claims by (user, day), each user's latest, and reminder settings by user."""

    claims: dict[tuple[UserId, date], DailyClaim] = field(default_factory=dict)
    latest: dict[UserId, DailyClaim] = field(default_factory=dict)
    reminders: dict[UserId, ReminderSetting] = field(default_factory=dict)


class InMemoryDailyGiftRepository(DailyGiftRepository):
    """The claims of one in-memory unit of work: writes are staged."""

    def __init__(self, state: DailyGiftState) -> None:
        self._claims = Overlay(state.claims)
        self._latest = Overlay(state.latest)
        self._reminders = Overlay(state.reminders)

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        return self._latest.get(user_id)

    async def add_claim(self, claim: DailyClaim) -> None:
        key = (claim.user_id, claim.day)
        if self._claims.get(key) is not None:
            raise ConcurrentUpdateError(detail={"user_id": claim.user_id, "day": claim.day.isoformat()})
        self._claims.stage(key, claim)
        latest = self._latest.get(claim.user_id)
        if latest is None or latest.day < claim.day:
            self._latest.stage(claim.user_id, claim)

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        return self._reminders.get(user_id)

    async def save_reminder(self, setting: ReminderSetting) -> None:
        current = self._reminders.get(setting.user_id)
        if (current.version if current else 0) != setting.version - 1:
            raise ConcurrentUpdateError(detail={"user_id": setting.user_id, "version": setting.version})
        self._reminders.stage(setting.user_id, setting)

    def apply(self) -> None:
        self._claims.apply()
        self._latest.apply()
        self._reminders.apply()


class InMemoryDailyGiftQueries(DailyGiftQueries):
    """Claims from committed state."""

    def __init__(self, state: DailyGiftState) -> None:
        self._state = state

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        return self._state.latest.get(user_id)

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        return self._state.reminders.get(user_id)


SLICE = MemorySlice(
    name="daily_gifts",
    state=DailyGiftState,
    repository=InMemoryDailyGiftRepository,
    queries={"daily_gift_queries": InMemoryDailyGiftQueries},
)
