"""Whom a local commit wakes: the relays of the handlers it owes events, the ticker if it scheduled a timer.

Each test runs on memory and on SQLite, with the bus and the ticker as a process runs them (waiting an hour
between polls, so only a wake makes them look again). The storage's outbox and timer store are the real ones,
seen through counters of what the relays, the expiry pass and the ticker ask of them.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Final

import pytest

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.bus.local import EXPIRY_INTERVAL
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.scheduling import Ticker
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork, opened
from yabot_core.kernel import (
    Event,
    EventId,
    EventStamper,
    FakeClock,
    OutboxRecord,
    OutboxStore,
    SequentialIds,
    Timer,
    TimerFired,
    TimerStore,
    UserId,
    new_timer,
    timer_route,
)

GUARD: Final = 60.0
"""Seconds to wait for what must happen at once before calling it a hang (never a timing assert)."""

AN_HOUR: Final = 3600.0
"""The poll interval of the bus and the ticker here: nothing but a wake makes them look again."""

KIND: Final = "tests.wakes"


class Pinged(Event):
    event_type: ClassVar[str] = "tests.wakes.pinged"

    user_id: UserId


class Ponged(Event):
    event_type: ClassVar[str] = "tests.wakes.ponged"


class CountedOutbox(OutboxStore):
    """The real outbox, delegated to in full, counting each handler's reads and the expiry passes."""

    def __init__(self, outbox: OutboxStore) -> None:
        self._outbox = outbox
        self.reads: Counter[str] = Counter()
        self.expiries = 0

    async def pending(self, handler: str, limit: int) -> Sequence[OutboxRecord]:
        self.reads[handler] += 1
        return await self._outbox.pending(handler, limit)

    async def acknowledge(self, handler: str, event_ids: Sequence[EventId]) -> None:
        await self._outbox.acknowledge(handler, event_ids)

    async def expire(self, handler: str, before: datetime) -> int:
        self.expiries += 1
        return await self._outbox.expire(handler, before)

    async def backlog(self) -> Mapping[str, int]:
        return await self._outbox.backlog()

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        return await self._outbox.acquire_lease(name, owner, now, until)

    async def release_lease(self, name: str, owner: str) -> None:
        await self._outbox.release_lease(name, owner)


class CountedTimerStore(TimerStore):
    """The real timer store, delegated to in full, counting the ticker's claim passes."""

    def __init__(self, store: TimerStore) -> None:
        self._store = store
        self.claims = 0

    async def claim_due(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[Timer]:
        self.claims += 1
        return await self._store.claim_due(now, claim, until, limit)

    async def pending(self, *, limit: int, kind: str | None = None) -> Sequence[Timer]:
        return await self._store.pending(limit=limit, kind=kind)

    async def next_due(self) -> datetime | None:
        return await self._store.next_due()


class Counted:
    """A storage backend whose outbox and timer store count what they are asked; the rest is the real one."""

    def __init__(self, storage: StorageBackend) -> None:
        self._storage = storage
        self.outbox = CountedOutbox(storage.outbox)
        self.timer_store = CountedTimerStore(storage.timer_store)

    def __getattr__(self, name: str) -> Any:  # whatever the real backend serves
        return getattr(self._storage, name)


@pytest.fixture(name="storage", params=["memory", "sqlite"])
async def storage_fixture(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Counted]:
    backend: StorageBackend
    if request.param == "memory":
        backend = InMemoryStorage(clock)
    else:
        backend = SqliteStorage(tmp_path / "wakes.sqlite3", clock)
    async with opened(backend) as storage:
        yield Counted(storage)


def make_bus(storage: Counted, clock: FakeClock) -> LocalEventBus:
    return LocalEventBus(storage, clock=clock, ids=SequentialIds("bus"), poll_interval=AN_HOUR)


def make_ticker(storage: Counted, clock: FakeClock) -> Ticker:
    return Ticker(storage, clock, SequentialIds("tick"), poll_interval=AN_HOUR)  # it hears commits itself


def due_timer(clock: FakeClock, key: str) -> Timer:
    return new_timer(key, KIND, clock.now(), now=clock.now())


async def commit(storage: Counted, *events: Event, timer: Timer | None = None) -> None:
    """One unit of work recording ``events`` and scheduling ``timer``, if given."""

    async def work(uow: StorageUnitOfWork) -> None:
        for event in events:
            uow.record(event)
        if timer is not None:
            await uow.timers.schedule(timer)

    await storage.transactions.run(work)


_event_ids = SequentialIds("ev")


def pinged(clock: FakeClock) -> Pinged:
    return Pinged(**EventStamper(clock, _event_ids).stamp(), user_id=UserId(1))


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds, at most GUARD seconds."""
    async with asyncio.timeout(GUARD):
        while not condition():  # noqa: ASYNC110  (counters: there is no event to wait on)
            await asyncio.sleep(0.01)


class Arrivals:
    """A handler that remembers what it got and says when something arrived."""

    def __init__(self) -> None:
        self.got: list[Event] = []
        self.arrived = asyncio.Event()

    async def __call__(self, event: Event) -> None:
        self.got.append(event)
        self.arrived.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self.arrived.wait(), timeout=GUARD)


class TestRelays:
    async def test_a_commit_wakes_only_the_relays_of_the_handlers_it_owes(
        self, storage: Counted, clock: FakeClock
    ) -> None:
        """Events owed to one handler wake that handler's relay; another handler's relay keeps waiting."""
        bus = make_bus(storage, clock)
        pings, pongs = Arrivals(), Arrivals()
        bus.subscribe(Pinged, pings, name="pings")
        bus.subscribe(Ponged, pongs, name="pongs")
        await bus.start()
        try:
            await eventually(
                lambda: storage.outbox.reads == {"pings": 1, "pongs": 1}
            )  # looked once, found none
            await commit(storage, pinged(clock))
            await pings.wait()  # the commit was heard
            assert storage.outbox.reads["pongs"] == 1
        finally:
            await bus.stop(drain_timeout=GUARD)
        assert pongs.got == []

    async def test_a_commit_does_not_run_the_expiry_pass(self, storage: Counted, clock: FakeClock) -> None:
        """Dropping stale events runs on its own interval: a commit wakes relays, not the expiry pass."""
        bus = make_bus(storage, clock)
        pings = Arrivals()
        bus.subscribe(Pinged, pings, name="pings", max_age=timedelta(hours=1))
        await bus.start()
        try:
            await eventually(lambda: storage.outbox.expiries == 1)  # the pass at start
            clock.advance(EXPIRY_INTERVAL)  # so a pass woken now would expire again
            await commit(storage, pinged(clock))
            await pings.wait()  # the commit was heard
            assert storage.outbox.expiries == 1
        finally:
            await bus.stop(drain_timeout=GUARD)


class TestTicker:
    async def test_a_commit_that_schedules_no_timer_does_not_make_it_claim(
        self, storage: Counted, clock: FakeClock
    ) -> None:
        """An events-only commit (a grant) wakes the relays it owes, not the ticker: it claims nothing."""
        ticker = make_ticker(storage, clock)
        bus = make_bus(storage, clock)
        pings = Arrivals()
        bus.subscribe(Pinged, pings, name="pings")
        await bus.start()
        await ticker.start()
        try:
            await eventually(lambda: storage.timer_store.claims == 1)  # its pass at start
            await commit(storage, pinged(clock))
            await pings.wait()  # the commit was heard
            assert storage.timer_store.claims == 1
        finally:
            await ticker.stop()
            await bus.stop(drain_timeout=GUARD)

    async def test_its_own_firing_does_not_make_it_claim_again(
        self, storage: Counted, clock: FakeClock
    ) -> None:
        """The commit that fires timers records events but schedules none: no extra, empty claim pass."""
        ticker = make_ticker(storage, clock)
        bus = make_bus(storage, clock)
        fired = Arrivals()
        bus.subscribe(TimerFired, fired, name="fired", route=timer_route(KIND))
        await commit(storage, timer=due_timer(clock, "due"))
        await bus.start()
        await ticker.start()
        try:
            await fired.wait()  # fired, committed, and its event delivered
            assert ticker.fired == 1
            assert storage.timer_store.claims == 1
        finally:
            await ticker.stop()
            await bus.stop(drain_timeout=GUARD)

    async def test_a_commit_that_schedules_a_timer_wakes_it(self, storage: Counted, clock: FakeClock) -> None:
        """A timer scheduled in this process fires without waiting for the poll, with or without events."""
        ticker = make_ticker(storage, clock)
        await ticker.start()
        try:
            await eventually(lambda: storage.timer_store.claims == 1)  # its pass at start
            await commit(storage, timer=due_timer(clock, "alone"))
            await eventually(lambda: ticker.fired == 1)
            await commit(storage, pinged(clock), timer=due_timer(clock, "with an event"))
            await eventually(lambda: ticker.fired == 2)
        finally:
            await ticker.stop()
