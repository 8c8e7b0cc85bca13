"""Timers fired per second and their fire lag: many timers come due at one instant; the Ticker fires them.

The timers are scheduled through units of work (``new_timer`` + ``uow.timers.schedule``, in batches), all due
at one instant a little ahead. Then the Ticker starts, as ``yabot run`` starts it: it sleeps until they are
due, claims and fires them in batches (one ``TimerFired`` each, committed with the timer's completion), and
the started LocalEventBus delivers each event to a handler that only notes when it arrived.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from benchmarks.backends import OpenBackend
from benchmarks.bus import Arrivals, ensure_delivered
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.scheduling import Ticker
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_core.kernel import Timer, TimerFired, UserId, new_timer, timer_route

KIND: Final = "bench.tick"
SCHEDULE_BATCH: Final = 500
"""Timers scheduled per unit of work."""


@dataclass(frozen=True, slots=True)
class TimerRun:
    """One run: timers handled per second from their due time, each timer's lag, how late the start was."""

    per_second: float
    lag_ms: list[float]
    overrun_s: float
    """How long after the due instant the scheduling finished (0 if in time: the lead was long enough)."""


def _scheduling(batch: list[Timer]) -> Callable[[StorageUnitOfWork], Awaitable[None]]:
    async def schedule(uow: StorageUnitOfWork) -> None:
        for timer in batch:
            await uow.timers.schedule(timer)

    return schedule


async def fire(open_backend: OpenBackend, *, timers: int, lead: float) -> TimerRun:
    """On a fresh backend, schedule ``timers`` timers due ``lead`` seconds ahead, then tick them all.

    Lag = when the handler got the timer's event − the timer's due time (wall clock). Per second =
    ``timers`` ÷ (the last handler call − the due time, or the ticker's start if scheduling overran).
    """
    clock = SystemClock()
    ids = UuidGenerator()
    arrivals = Arrivals(stamp=time.time)

    async def noted(event: TimerFired) -> None:
        arrivals.arrived(event.key)

    async with open_backend(clock) as storage:
        bus = LocalEventBus(storage, clock=clock, ids=ids)
        bus.subscribe(TimerFired, noted, name="bench.timer_noted", route=timer_route(KIND))
        ticker = Ticker(storage, clock, ids)
        now = clock.now()
        due = now + timedelta(seconds=lead)
        for first in range(0, timers, SCHEDULE_BATCH):
            batch = [
                new_timer(f"bench:{n}", KIND, due, now=now, user_id=UserId(n % 1000 + 1))
                for n in range(first, min(first + SCHEDULE_BATCH, timers))
            ]
            await storage.transactions.run(_scheduling(batch))
        await bus.start()
        ticker_started = time.time()
        await ticker.start()
        try:
            await arrivals.wait_for(timers)
        finally:
            await ticker.stop()
            await bus.stop()
        await ensure_delivered(storage)
        left = await storage.timer_store.pending(limit=1)
        if left or ticker.fired != timers:
            msg = f"the ticker fired {ticker.fired} of {timers} timers; {len(left)} still pending"
            raise AssertionError(msg)
    due_at = due.timestamp()
    since = max(due_at, ticker_started)
    return TimerRun(
        per_second=timers / (max(arrivals.first.values()) - since),
        lag_ms=[(arrived - due_at) * 1000 for arrived in arrivals.first.values()],
        overrun_s=max(0.0, ticker_started - due_at),
    )
