"""The ticker on the in-memory backend: due timers fire once, in their chain, in the background or on call."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import ClassVar, Final

import pytest

from tests.contracts.common import recorded_events
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.memory.timers import TimersState
from yabot_adapters.scheduling import Ticker
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.units import Committed
from yabot_core.kernel import (
    CorrelationId,
    Event,
    EventStamper,
    FakeClock,
    SequentialIds,
    Timer,
    TimerFired,
    UnavailableError,
    UserId,
    correlation_scope,
    new_timer,
)

GUARD: Final = 60.0
"""Seconds to wait for what must happen before calling it a hang (never a timing assert)."""

KIND = "tests.ticker"
FAN = UserId(77)


def ticker_for(storage: InMemoryStorage, clock: FakeClock, **options: float) -> Ticker:
    return Ticker(storage, clock, SequentialIds("tick"), **options)  # type: ignore[arg-type]


class Scheduled(Event):
    """Something a unit of work recorded alongside a timer."""

    event_type: ClassVar[str] = "tests.ticker.scheduled"


async def schedule(
    storage: InMemoryStorage, clock: FakeClock, key: str, *, seconds: float = 0, with_event: bool = False
) -> Timer:
    """Schedule a timer of KIND (with an event in the same commit, if asked)."""
    stamper = EventStamper(clock, SequentialIds("ev"))
    timer = new_timer(
        key, KIND, clock.now() + timedelta(seconds=seconds), now=clock.now(), payload={"n": key}, user_id=FAN
    )

    async def work(uow: StorageUnitOfWork) -> None:
        await uow.timers.schedule(timer)
        if with_event:
            uow.record(Scheduled(**stamper.stamp()))

    await storage.transactions.run(work)
    return timer


async def fired(storage: InMemoryStorage) -> list[TimerFired]:
    return [event for event in await recorded_events(storage) if isinstance(event, TimerFired)]


async def eventually(condition: Callable[[], object]) -> None:
    """Wait until ``condition()`` (sync or awaitable) is true, at most GUARD seconds."""
    async with asyncio.timeout(GUARD):
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.01)


@pytest.fixture(name="ticker")
async def ticker_fixture(storage: InMemoryStorage, clock: FakeClock) -> AsyncIterator[Ticker]:
    """A ticker that looks again only when woken (or after an hour): the background tests wake it."""
    ticker = ticker_for(storage, clock, poll_interval=3600)
    yield ticker
    await ticker.stop()


class TestFiring:
    async def test_due_timers_fire_once_and_later_ones_wait(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """A pass fires what is due as TimerFired events and removes it; a second pass fires nothing."""
        due = await schedule(storage, clock, "now")
        await schedule(storage, clock, "later", seconds=30)
        assert await ticker.fire_due() == 1
        assert await ticker.fire_due() == 0
        (event,) = await fired(storage)
        assert (event.key, event.kind, event.payload, event.user_id, event.due_at) == (
            "now",
            KIND,
            {"n": "now"},
            FAN,
            due.due_at,
        )
        assert [t.key for t in await storage.timer_store.pending(limit=10)] == ["later"]
        clock.advance(timedelta(seconds=30))
        assert await ticker.fire_due() == 1
        assert [e.key for e in await fired(storage)] == ["now", "later"]
        assert ticker.fired == 2

    async def test_a_pass_fires_every_due_timer_in_batches(
        self, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """More due timers than a batch holds all fire in one pass, each exactly once."""
        for n in range(23):
            await schedule(storage, clock, f"t{n:02}")
        ticker = ticker_for(storage, clock, batch_size=5)
        assert await ticker.fire_due() == 23
        assert sorted(e.key for e in await fired(storage)) == [f"t{n:02}" for n in range(23)]
        assert await storage.timer_store.pending(limit=100) == []

    async def test_fired_events_continue_the_chain_that_scheduled_them(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """A timer scheduled in a correlation fires in it; one scheduled outside any gets ``timer-<key>``."""
        with correlation_scope(CorrelationId("tg-update-5")):
            await schedule(storage, clock, "chained")
        await schedule(storage, clock, "loose")
        await ticker.fire_due()
        by_key = {e.key: e for e in await fired(storage)}
        assert by_key["chained"].correlation_id == "tg-update-5"
        assert by_key["loose"].correlation_id == "timer-loose"
        assert by_key["chained"].event_id != by_key["loose"].event_id

    async def test_timers_another_ticker_holds_wait_for_its_lease_to_end(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """A ticker that died after claiming leaves its timers to be fired by another once the lease ends."""
        await schedule(storage, clock, "held")
        now = clock.now()
        (claimed,) = await storage.timer_store.claim_due(
            now, "dead-ticker:1", now + timedelta(seconds=60), 10
        )
        assert await ticker.fire_due() == 0
        clock.advance(timedelta(seconds=60))
        assert await ticker.fire_due() == 1
        (event,) = await fired(storage)
        assert event.key == claimed.key

    async def test_a_cancelled_timer_never_fires(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """Cancelling before it is due means it is gone for good."""
        await schedule(storage, clock, "gone", seconds=5)

        async def cancel(uow: StorageUnitOfWork) -> bool:
            return await uow.timers.cancel("gone")

        assert await storage.transactions.run(cancel)
        clock.advance(timedelta(seconds=5))
        assert await ticker.fire_due() == 0
        assert await fired(storage) == []


class TestBackground:
    async def test_the_readiness_check_follows_start_and_stop(self, ticker: Ticker) -> None:
        """Not running before start or after stop (a Spanish UnavailableError); running in between."""
        with pytest.raises(UnavailableError) as caught:
            await ticker.check_running()
        assert caught.value.message == "Los avisos programados no se están disparando."
        await ticker.start()
        await ticker.start()  # starting twice keeps one loop
        assert ticker.running
        await ticker.check_running()
        await ticker.stop()
        await ticker.stop()  # stopping twice is harmless
        assert not ticker.running
        with pytest.raises(UnavailableError):
            await ticker.check_running()
        await ticker.start()  # and it can start again
        await ticker.check_running()

    async def test_due_timers_fire_in_the_background(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """Started, the ticker fires what is due without anyone asking."""
        await schedule(storage, clock, "due")
        await ticker.start()
        await eventually(lambda: ticker.fired == 1)
        assert [e.key for e in await fired(storage)] == ["due"]

    async def test_a_commit_with_events_wakes_it_for_a_timer_due_sooner(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """It hears its storage's commits by itself: one scheduling a timer due sooner makes it look again."""
        await schedule(storage, clock, "far", seconds=3600)
        await ticker.start()
        await asyncio.sleep(0)  # let the loop settle into its hour-long wait
        await schedule(storage, clock, "soon", with_event=True)
        await eventually(lambda: ticker.fired == 1)
        assert [e.key for e in await fired(storage)] == ["soon"]
        assert [t.key for t in await storage.timer_store.pending(limit=10)] == ["far"]

    async def test_scheduling_a_timer_wakes_it_without_any_event(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """A commit that only schedules a timer (a Lucien message) wakes it too: no poll needed."""
        await schedule(storage, clock, "far", seconds=3600)
        await ticker.start()
        await asyncio.sleep(0)  # let the loop settle into its hour-long wait
        await schedule(storage, clock, "soon")
        await eventually(lambda: ticker.fired == 1)
        assert [e.key for e in await fired(storage)] == ["soon"]

    async def test_an_explicit_notify_wakes_it_too(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """Told of a commit that scheduled a timer, it looks again, even for one it did not hear committed."""
        await ticker.start()
        await asyncio.sleep(0)
        timers = storage.states["timers"]
        assert isinstance(timers, TimersState)
        timers.timers["soon"] = new_timer("soon", KIND, clock.now(), now=clock.now())  # another writer's
        ticker.notify(Committed(scheduled_timer=True))
        await eventually(lambda: ticker.fired == 1)

    async def test_it_sleeps_only_until_the_next_timer_is_due(
        self, storage: InMemoryStorage, clock: FakeClock, ticker: Ticker
    ) -> None:
        """Between passes the ticker waits until the next due time, not a whole (hour-long) poll interval."""
        await schedule(storage, clock, "t1")
        await schedule(storage, clock, "t2", seconds=1)
        await ticker.start()
        await eventually(lambda: ticker.fired == 1)
        clock.advance(
            timedelta(seconds=1)
        )  # nobody notifies: the ticker wakes by itself about a second later
        await eventually(lambda: ticker.fired == 2)
