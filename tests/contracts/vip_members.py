"""The VIP channel's roll on every backend: last sightings kept, older ones ignored, walked by id."""

from datetime import timedelta

from tests.contracts.base import ContractBase
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import ChannelRoll


def roll_over(storage: StorageBackend, clock: FakeClock) -> ChannelRoll:
    """The roll over ``storage``."""
    return ChannelRoll(storage.transactions, storage.channel_member_queries, clock)


class ChannelMembersContract(ContractBase):
    """What every backend's channel members slice must do."""

    async def test_a_join_then_a_leave_leaves_the_fan_outside(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        roll = roll_over(storage, clock)
        await roll.saw(UserId(7), inside=True)
        assert [s.user_id for s in await roll.inside()] == [7]
        clock.advance(timedelta(minutes=1))
        await roll.saw(UserId(7), inside=False)
        assert list(await roll.inside()) == []

    async def test_an_older_sighting_delivered_late_changes_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        roll = roll_over(storage, clock)
        joined = clock.now()
        clock.advance(timedelta(minutes=5))
        await roll.saw(UserId(7), inside=False)  # the leave arrives first
        await roll.saw(UserId(7), inside=True, at=joined)  # then the join, older
        assert list(await roll.inside()) == []

    async def test_the_inside_is_walked_in_pages_by_user_id(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        roll = roll_over(storage, clock)
        for user in (30, 10, 50, 20, 40):
            await roll.saw(UserId(user), inside=user != 40)
        first = await roll.inside(limit=2)
        assert [s.user_id for s in first] == [10, 20]
        rest = await roll.inside(after=first[-1].user_id, limit=10)
        assert [s.user_id for s in rest] == [30, 50]
        assert all(s.inside for s in rest)
        assert rest[0].seen_at == clock.now()
        assert list(await roll.inside(after=UserId(50))) == []
