"""LocalEventBus publish-to-handled latency: commit an event, time until the subscribed handler sees it."""

import asyncio
import time
from dataclasses import dataclass
from typing import ClassVar

from benchmarks.backends import OpenBackend
from benchmarks.stats import percentile
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_core.kernel import Event, EventStamper, UserId

HANDLED_TIMEOUT = 30.0
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


class _Probe:
    """The handler: remembers when each event number first arrived, wakes whoever waits for a count."""

    def __init__(self) -> None:
        self.handled: dict[int, float] = {}
        self._changed = asyncio.Event()

    async def handle(self, event: BenchPinged) -> None:
        self.handled.setdefault(event.n, time.perf_counter())
        self._changed.set()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(HANDLED_TIMEOUT):
            while len(self.handled) < count:
                self._changed.clear()
                await self._changed.wait()


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
    probe = _Probe()
    started: dict[int, float] = {}
    async with open_backend(clock) as storage:
        bus = LocalEventBus(
            outbox=storage.outbox,
            transactions=storage.transactions,
            dead_letters=storage.dead_letter_queries,
            clock=clock,
            ids=ids,
        )
        bus.subscribe(BenchPinged, probe.handle, name="bench.pinged_probe")
        storage.add_commit_listener(bus.notify)
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
                await probe.wait_for(n + 1)
            total = sequential
            for _ in range(bursts):
                await asyncio.gather(*(publish(total + k) for k in range(burst_size)))
                total += burst_size
                await probe.wait_for(total)
        finally:
            await bus.stop()
        if await storage.outbox.pending(1):
            msg = "the bus stopped with events still in the outbox"
            raise AssertionError(msg)
    latencies = {n: (probe.handled[n] - started[n]) * 1000 for n in started}
    return BusRun(
        sequential_ms=[latencies[n] for n in range(sequential)],
        burst_ms=[latencies[n] for n in range(sequential, sequential + bursts * burst_size)],
    )


def p50_p99(values: list[float]) -> tuple[float, float]:
    """The median and the 99th percentile of one run's latencies."""
    return percentile(values, 0.50), percentile(values, 0.99)
