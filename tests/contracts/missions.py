"""Missions' storage on every backend: missions moved by version, events counted once, and races.

A redelivered event never counts twice, and a mission's reward is paid once, however many of its events
arrive at once.
"""

import asyncio
from datetime import timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.inventory_catalog import ROSE
from tests.contracts.mission_fixtures import CLAPS, DAILY_CLAP, WEEKLY, clap, missions_over
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import ConcurrentUpdateError, EventId, FakeClock, UserId
from yabot_core.missions import MISSION_REWARD, MissionCompleted, UserMission

RACERS = 20


def record(clock: FakeClock, version: int, progress: int = 0, user: UserId = ALICE) -> UserMission:
    return UserMission(
        user_id=user,
        mission_id=CLAPS,
        source="registro",
        assigned_at=clock.now(),
        period="unica",
        progress=progress,
        completed_at=clock.now() if progress == 3 else None,
        completions=1 if progress == 3 else 0,
        version=version,
    )


async def save(storage: StorageBackend, *missions: UserMission, fail: bool = False) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        for each in missions:
            await uow.missions.save(each)
        if fail:
            raise BoomError

    await storage.transactions.run(work)


async def stored(storage: StorageBackend, user: UserId = ALICE) -> UserMission | None:
    async def work(uow: StorageUnitOfWork) -> UserMission | None:
        return await uow.missions.get(user, CLAPS)

    return await storage.transactions.run(work)


async def balance(storage: StorageBackend, user: UserId = ALICE) -> int:
    return (await storage.wallet_queries.balance(user)).balance


class MissionsContract(ContractBase):
    """What every backend's missions slice must do."""

    async def test_a_fan_without_missions_has_none(self, storage: StorageBackend) -> None:
        """Nothing is found, in a unit of work or outside; no event is counted."""
        assert await stored(storage) is None
        assert await storage.mission_queries.for_user(ALICE) == ()

        async def counted(uow: StorageUnitOfWork) -> bool:
            return await uow.missions.counted(EventId("e1"))

        assert not await storage.transactions.run(counted)

    async def test_missions_move_from_their_version_and_stale_ones_are_refused(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Version 1 creates, each later version replaces the one before; a stale one changes nothing."""
        await save(storage, record(clock, 1))
        await save(storage, record(clock, 2, progress=1))
        for stale in (record(clock, 1), record(clock, 4, progress=2)):
            with pytest.raises(ConcurrentUpdateError):
                await save(storage, record(clock, 1, user=BOB), stale)
        with pytest.raises(BoomError):
            await save(storage, record(clock, 3, progress=3), fail=True)
        assert await stored(storage) == record(clock, 2, progress=1)
        assert await stored(storage, BOB) is None
        assert await storage.mission_queries.for_user(ALICE) == (record(clock, 2, progress=1),)

    async def test_an_event_is_counted_once(self, storage: StorageBackend) -> None:
        """Counting an event marks it; counting it again is a concurrent update."""

        async def count(uow: StorageUnitOfWork) -> None:
            await uow.missions.count(EventId("e1"), ALICE)

        async def counted(uow: StorageUnitOfWork) -> bool:
            return await uow.missions.counted(EventId("e1"))

        await storage.transactions.run(count)
        assert await storage.transactions.run(counted)
        with pytest.raises(ConcurrentUpdateError):
            await storage.transactions.run(count)

    async def test_events_advance_missions_and_completion_pays_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Three loud claps complete «aplausos»: 10 besitos and a rose, once; redeliveries count nothing."""
        missions = missions_over(storage, clock)
        await missions.assign(ALICE, CLAPS)
        for n in range(3):
            event = clap(clock, ALICE, f"e{n}", loud=True)
            await missions.on_event(event)
            await missions.on_event(event)  # a redelivery
        await missions.on_event(clap(clock, ALICE, "e9", loud=True))  # past the objective
        (mine,) = [m for m in await storage.mission_queries.for_user(ALICE) if m.mission_id == CLAPS]
        assert (mine.progress, mine.completions, mine.completed_at) == (3, 1, clock.now())
        assert await balance(storage) == 10
        assert await storage.inventory_queries.quantities(ALICE, [ROSE]) == {ROSE: 1}
        done = [e for e in await recorded_events(storage) if isinstance(e, MissionCompleted)]
        assert [(e.mission_id, e.besitos, e.item_id) for e in done] == [(CLAPS, 10, ROSE)]
        view = await missions.view(ALICE)
        assert [s.definition.id for s in view.completed] == [CLAPS]

    async def test_daily_and_weekly_missions_start_again_each_period(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A daily mission pays again the next day; the weekly one counts the week's claps only."""
        missions = missions_over(storage, clock)
        await missions.assign(ALICE, DAILY_CLAP)
        for day in range(3):
            await missions.on_event(clap(clock, ALICE, f"d{day}"))
            clock.advance(timedelta(days=1))
        statement = await storage.wallet_queries.statement(ALICE, limit=10, offset=0)
        paid = sorted(e.amount for e in statement.history.entries if e.reason == MISSION_REWARD)
        assert paid == [2, 2, 2]
        by_id = {m.mission_id: m for m in await storage.mission_queries.for_user(ALICE)}
        assert by_id[WEEKLY].source == "tests.clapped"  # given by the first clap, which counted too
        assert by_id[DAILY_CLAP].completions == 3

    async def test_racing_deliveries_count_each_event_once_and_pay_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Twenty copies of one event count one; twenty distinct events complete a five-clap mission once."""
        missions = missions_over(storage, clock)
        same = clap(clock, BOB, "same")
        await asyncio.gather(*(missions.on_event(same) for _ in range(RACERS)))
        (weekly,) = await storage.mission_queries.for_user(BOB)
        assert weekly.progress == 1
        await asyncio.gather(*(missions.on_event(clap(clock, BOB, f"r{n}")) for n in range(RACERS)))
        (weekly,) = await storage.mission_queries.for_user(BOB)
        assert (weekly.progress, weekly.completions) == (5, 1)
        statement = await storage.wallet_queries.statement(BOB, limit=10, offset=0)
        assert [e.amount for e in statement.history.entries] == [7]
