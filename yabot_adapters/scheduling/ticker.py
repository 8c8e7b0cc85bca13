"""The ticker: claims due timers and fires each as a ``TimerFired`` event, exactly once, in one commit.

Several processes may tick on one storage. A claim is atomic (two tickers never hold one timer), and firing
completes the timer only if the claim is still ours, in the same unit of work that records the event: a
ticker that dies after claiming leaves its timers to be claimed again once the lease ends, and one that was
too slow (its claim expired and another took the timer) fires nothing. Handlers then get the bus's retries,
dead letters and replay.
"""

import asyncio
import contextlib
import itertools
import logging
from datetime import timedelta

from yabot_adapters.metrics import TIMER_LAG, TIMERS_FIRED
from yabot_adapters.storage import StorageBackend
from yabot_adapters.units import Committed
from yabot_core.kernel import (
    Clock,
    CorrelationId,
    EventStamper,
    IdGenerator,
    Timer,
    TimerFired,
    TimersUnitOfWork,
    UnavailableError,
    correlation_scope,
)

log = logging.getLogger(__name__)

MIN_WAIT = 0.005
"""Never spin: a timer due "now" that the pass could not fire (another ticker holds it) waits a moment."""


class Ticker:
    """Fires due timers in the background; :meth:`fire_due` does one pass (tests and commands call it).

    Constructing it has the storage tell it of local commits: one that scheduled a timer makes it look again
    at once (other processes' timers are found by polling, and by sleeping until the next one due).
    """

    def __init__(
        self,
        storage: StorageBackend,
        clock: Clock,
        ids: IdGenerator,
        *,
        poll_interval: float = 1.0,
        lease: float = 60.0,
        batch_size: int = 200,
    ) -> None:
        self._store = storage.timer_store
        self._transactions = storage.transactions
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self._owner = f"ticker-{ids.new_id()}"
        self._claims = itertools.count(1)
        self._poll_interval = poll_interval
        self._lease = timedelta(seconds=lease)
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.fired = 0
        """How many timers this ticker fired since it was made (for status and benchmarks)."""
        storage.add_commit_listener(self.notify)

    async def fire_due(self) -> int:
        """Claim what is due now and fire it; repeat while full batches come. Returns how many fired."""
        total = 0
        while True:
            fired, claimed = await self._fire_batch()
            total += fired
            if claimed < self._batch_size:
                return total

    async def _fire_batch(self) -> tuple[int, int]:
        now = self._clock.now()
        claim = f"{self._owner}:{next(self._claims)}"
        timers = await self._store.claim_due(now, claim, now + self._lease, self._batch_size)
        if not timers:
            return 0, 0

        async def fire(uow: TimersUnitOfWork) -> list[Timer]:
            fired = []
            for timer in timers:
                if not await uow.timers.complete(timer):
                    continue  # cancelled, rescheduled, or claimed by another ticker meanwhile
                with correlation_scope(timer.correlation_id or CorrelationId(f"timer-{timer.key}")):
                    uow.record(
                        TimerFired(
                            **self._stamper.stamp(),
                            user_id=timer.user_id,
                            key=timer.key,
                            kind=timer.kind,
                            due_at=timer.due_at,
                            payload=timer.payload,
                        )
                    )
                fired.append(timer)
            return fired

        fired = await self._transactions.run(fire)
        for timer in fired:
            TIMERS_FIRED.labels(timer.kind).inc()
            TIMER_LAG.labels(timer.kind).observe(max(0.0, (now - timer.due_at).total_seconds()))
        self.fired += len(fired)
        return len(fired), len(timers)

    # --- in the background ------------------------------------------------------------------------------

    def notify(self, commit: Committed) -> None:
        """Look again now if ``commit`` scheduled a timer (perhaps due sooner than the next one known).

        Commits that only record events, this ticker's own firings among them, leave it waiting.
        """
        if commit.scheduled_timer:
            self._wake.set()

    async def start(self) -> None:
        """Tick in the background until :meth:`stop`."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._tick_forever(), name="yabot-timers")

    async def stop(self) -> None:
        """Stop ticking (a pass under way finishes or is abandoned: its claims simply expire)."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        """Whether the background ticker is alive."""
        return self._task is not None and not self._task.done()

    async def check_running(self) -> None:
        """Readiness probe: raise ``UnavailableError`` unless the ticker is alive."""
        if not self.running:
            raise UnavailableError("Los avisos programados no se están disparando.")

    async def _tick_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.fire_due()
                wait = await self._until_next()
            except Exception:
                log.exception("firing timers failed; trying again in %.1fs", self._poll_interval)
                wait = self._poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _until_next(self) -> float:
        """Seconds until the next timer is due, at most the poll interval (others may schedule sooner)."""
        due = await self._store.next_due()
        if due is None:
            return self._poll_interval
        seconds = (due - self._clock.now()).total_seconds()
        return min(max(seconds, MIN_WAIT), self._poll_interval)
