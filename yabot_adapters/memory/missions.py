"""Fans' missions and counted events in memory: the missions module's slice."""

from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError, EventId, UserId
from yabot_core.missions import MissionQueries, MissionRepository, UserMission


@dataclass
class MissionsState:
    """Committed missions by (user, mission); counted event ids with their fan."""

    missions: dict[tuple[UserId, str], UserMission] = field(default_factory=dict)
    counted: dict[EventId, UserId] = field(default_factory=dict)


class InMemoryMissionRepository(MissionRepository):
    """The missions of one in-memory unit of work: writes are staged."""

    def __init__(self, state: MissionsState) -> None:
        self._missions = Overlay(state.missions)
        self._counted = Overlay(state.counted)

    async def get(self, user_id: UserId, mission_id: str) -> UserMission | None:
        return self._missions.get((user_id, mission_id))

    async def save(self, mission: UserMission) -> None:
        key = (mission.user_id, mission.mission_id)
        current = self._missions.get(key)
        if (current.version if current else 0) != mission.version - 1:
            raise ConcurrentUpdateError(detail={"user_id": mission.user_id, "mission_id": mission.mission_id})
        self._missions.stage(key, mission)

    async def counted(self, event_id: EventId) -> bool:
        return self._counted.get(event_id) is not None

    async def count(self, event_id: EventId, user_id: UserId) -> None:
        if self._counted.get(event_id) is not None:
            raise ConcurrentUpdateError(detail={"event_id": event_id})
        self._counted.stage(event_id, user_id)

    def apply(self) -> None:
        self._missions.apply()
        self._counted.apply()


class InMemoryMissionQueries(MissionQueries):
    """Missions from committed state."""

    def __init__(self, state: MissionsState) -> None:
        self._state = state

    async def for_user(self, user_id: UserId) -> tuple[UserMission, ...]:
        found = [mission for (user, _), mission in self._state.missions.items() if user == user_id]
        return tuple(sorted(found, key=lambda mission: mission.mission_id))


SLICE = MemorySlice(
    name="missions",
    state=MissionsState,
    repository=InMemoryMissionRepository,
    queries={"mission_queries": InMemoryMissionQueries},
)
