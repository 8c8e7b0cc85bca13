"""Whom a local commit wakes: the relays of the handlers it owes events, and never the expiry pass.

Each test runs on memory and on SQLite, with the bus as a process runs it (waiting an hour between polls, so
only a wake makes it look again). The storage's outbox is the real one, seen through counters of what the
relays and the expiry pass ask of it.
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
    UserId,
)

GUARD: Final = 60.0
"""Seconds to wait for what must happen at once before calling it a hang (never a timing assert)."""

AN_HOUR: Final = 3600.0
"""The poll interval of the bus here: nothing but a wake makes a relay look again."""


class Pinged(Event):
    event_type: ClassVar[str] = "tests.wakes.pinged"

    user_id: UserId


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


class Counted:
    """A storage backend whose outbox counts what is asked of it; the rest is the real backend."""

    def __init__(self, storage: StorageBackend) -> None:
        self._storage = storage
        self.outbox = CountedOutbox(storage.outbox)

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


async def commit(storage: Counted, *events: Event) -> None:
    """One unit of work recording ``events``."""

    async def work(uow: StorageUnitOfWork) -> None:
        for event in events:
            uow.record(event)

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
