"""The VIP channel's roll in memory: the channel members' slice of the subscriptions module."""

from dataclasses import dataclass, field
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import UserId
from yabot_core.subscriptions import ChannelMemberQueries, ChannelMemberRepository, MemberSighting


@dataclass
class ChannelMembersState:
    """Each fan's last sighting, by user id."""

    sightings: dict[UserId, MemberSighting] = field(default_factory=dict)


class InMemoryChannelMemberRepository(ChannelMemberRepository):
    """The roll of one in-memory unit of work: writes are staged."""

    def __init__(self, state: ChannelMembersState) -> None:
        self._sightings = Overlay(state.sightings)

    async def get(self, user_id: UserId) -> MemberSighting | None:
        return self._sightings.get(user_id)

    async def put(self, sighting: MemberSighting) -> None:
        self._sightings.stage(sighting.user_id, sighting)

    def apply(self) -> None:
        self._sightings.apply()


class InMemoryChannelMemberQueries(ChannelMemberQueries):
    """The committed roll."""

    def __init__(self, state: ChannelMembersState) -> None:
        self._state = state

    async def inside(self, *, after: UserId | None, limit: int) -> list[MemberSighting]:
        found = sorted(
            (s for s in self._state.sightings.values() if s.inside and (after is None or s.user_id > after)),
            key=lambda sighting: sighting.user_id,
        )
        return list(islice(found, max(limit, 0)))


SLICE = MemorySlice(
    name="channel_members",
    state=ChannelMembersState,
    repository=InMemoryChannelMemberRepository,
    queries={"channel_member_queries": InMemoryChannelMemberQueries},
)
