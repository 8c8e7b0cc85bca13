"""Fans' logros and counted events in memory: the achievements module's slice."""

from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.achievements import AchievementQueries, AchievementRepository, UserAchievement
from yabot_core.kernel import ConcurrentUpdateError, EventId, UserId


@dataclass
class AchievementsState:
    """Committed logros by (user, logro); counted event ids with their fan."""

    achievements: dict[tuple[UserId, str], UserAchievement] = field(default_factory=dict)
    counted: dict[EventId, UserId] = field(default_factory=dict)


class InMemoryAchievementRepository(AchievementRepository):
    """The logros of one in-memory unit of work: writes are staged."""

    def __init__(self, state: AchievementsState) -> None:
        self._achievements = Overlay(state.achievements)
        self._counted = Overlay(state.counted)

    async def get(self, user_id: UserId, achievement_id: str) -> UserAchievement | None:
        return self._achievements.get((user_id, achievement_id))

    async def save(self, achievement: UserAchievement) -> None:
        key = (achievement.user_id, achievement.achievement_id)
        current = self._achievements.get(key)
        if (current.version if current else 0) != achievement.version - 1:
            raise ConcurrentUpdateError(
                detail={"user_id": achievement.user_id, "achievement_id": achievement.achievement_id}
            )
        self._achievements.stage(key, achievement)

    async def counted(self, event_id: EventId) -> bool:
        return self._counted.get(event_id) is not None

    async def count(self, event_id: EventId, user_id: UserId) -> None:
        if self._counted.get(event_id) is not None:
            raise ConcurrentUpdateError(detail={"event_id": event_id})
        self._counted.stage(event_id, user_id)

    def apply(self) -> None:
        self._achievements.apply()
        self._counted.apply()


class InMemoryAchievementQueries(AchievementQueries):
    """Logros from committed state."""

    def __init__(self, state: AchievementsState) -> None:
        self._state = state

    async def for_user(self, user_id: UserId) -> tuple[UserAchievement, ...]:
        found = [record for (user, _), record in self._state.achievements.items() if user == user_id]
        return tuple(sorted(found, key=lambda record: record.achievement_id))


SLICE = MemorySlice(
    name="achievements",
    state=AchievementsState,
    repository=InMemoryAchievementRepository,
    queries={"achievement_queries": InMemoryAchievementQueries},
)
