"""LocalEventBus publish-to-handled latency: commit an event, time until the subscribed handler sees it."""

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import ClassVar

from benchmarks.backends import OpenBackend
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_core.kernel import Event, EventStamper, UserId

HANDLED_TIMEOUT = 60.0
"""Seconds to wait for handlers before declaring the bus stuck (a benchmark must not hang)."""


class BenchPinged(Event):
    """A benchmark-only event: carries its sequence number so the handler can stamp its arrival."""

    event_type: ClassVar[str] = "bench.pinged"

    n: int


@dataclass(frozen=True, slots=True)
class BusRun:
    """One run's latencies in milliseconds, per pattern."""

    sequential_ms: list[float]
    burst_ms: list[float]


class Arrivals:
    """What a no-op handler records: when each key first arrived (``stamp()``); wakes who waits.

    Keys, not a count: delivery is at-least-once, so a redelivered event must not count twice.
    """

    def __init__(self, *, stamp: Callable[[], float] = time.perf_counter) -> None:
        self._stamp = stamp
        self.first: dict[Hashable, float] = {}
        self._changed = asyncio.Event()

    def arrived(self, key: Hashable) -> None:
        """Note ``key``'s arrival (only its first counts)."""
        self.first.setdefault(key, self._stamp())
        self._changed.set()

    async def wait_for(self, count: int) -> None:
        """Return once ``count`` distinct keys arrived; raise ``TimeoutError`` after ``HANDLED_TIMEOUT``."""
        async with asyncio.timeout(HANDLED_TIMEOUT):
            while len(self.first) < count:
                self._changed.clear()
                await self._changed.wait()


async def ensure_delivered(storage: StorageBackend) -> None:
    """Raise unless the outbox owes nothing to anybody (every event reached its handlers)."""
    backlog = await storage.outbox.backlog()
    if backlog:
        msg = f"the bus stopped with events still owed: {dict(backlog)}"
        raise AssertionError(msg)


async def publish_to_handled(
    open_backend: OpenBackend, *, sequential: int, bursts: int, burst_size: int
) -> BusRun:
    """On a fresh backend with a started bus, publish events one at a time, then in concurrent bursts.

    Sequential: each event is published once the previous one was handled. Bursts: ``burst_size`` events
    (each for a different user) are published at once with ``asyncio.gather``; the next burst waits until
    the whole burst was handled. Latency = handler entry − the moment just before the event's commit.
    """
    clock = SystemClock()
    ids = UuidGenerator()
    stamper = EventStamper(clock, ids)
    arrivals = Arrivals()
    started: dict[int, float] = {}

    async def probe(event: BenchPinged) -> None:
        arrivals.arrived(event.n)

    async with open_backend(clock) as storage:
        bus = LocalEventBus(storage, clock=clock, ids=ids)
        bus.subscribe(BenchPinged, probe, name="bench.pinged_probe")
        await bus.start()
        try:

            async def publish(n: int) -> None:
                event = BenchPinged(**stamper.stamp(), user_id=UserId(n % 1000 + 1), n=n)

                async def work(uow: StorageUnitOfWork) -> None:
                    uow.record(event)

                started[n] = time.perf_counter()
                await storage.transactions.run(work)

            for n in range(sequential):
                await publish(n)
                await arrivals.wait_for(n + 1)
            total = sequential
            for _ in range(bursts):
                await asyncio.gather(*(publish(total + k) for k in range(burst_size)))
                total += burst_size
                await arrivals.wait_for(total)
        finally:
            await bus.stop()
        await ensure_delivered(storage)
    latencies = {n: (arrivals.first[n] - started[n]) * 1000 for n in started}
    return BusRun(
        sequential_ms=[latencies[n] for n in range(sequential)],
        burst_ms=[latencies[n] for n in range(sequential, sequential + bursts * burst_size)],
    )
