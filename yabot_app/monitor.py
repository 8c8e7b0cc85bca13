"""The monitor: every few seconds, looks at what can go wrong and opens or closes the admins' alerts.

It watches, in each serving process: the circuit breakers (storage, Telegram), the outbox's depth, each
module's health checks, and the seed's SLAs (events 500 ms, storage operations 100 ms) over the last
minutes; and it closes a handler's dead-letters problem once none of that handler's dead letters waits
(its first dead letter opened it, through the outbox). It also sets the gauges those reads give (outbox
depth, dead letters, timers due). Whether a problem is open lives in storage
(:class:`~yabot_core.operations.Alerts`), so N processes seeing one problem alert once; only the storage's
own outage cannot be written there, so that one is told straight through the messenger by each process
that sees it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Final

from prometheus_client import Histogram

from yabot_adapters.guarded import STORAGE_BREAKER
from yabot_adapters.metrics import (
    ALERTS_OPEN,
    DEAD_LETTERS,
    EVENT_LATENCY,
    EVENT_SLA,
    OUTBOX_DEPTH,
    QUERY_SLA,
    STORAGE_LATENCY,
    TIMERS_DUE,
    count_over,
)
from yabot_app.alerting import opened_text, resolved_text, tell_admins
from yabot_core.kernel import (
    BreakerState,
    CircuitBreaker,
    Clock,
    DeadLetter,
    Event,
    EventStamper,
    Phrasebook,
    UnavailableError,
    UserId,
)
from yabot_core.lucien import Messenger
from yabot_core.operations import (
    DEAD_LETTERS_PREFIX,
    Alerts,
    ModuleHealthCheckFailed,
    Problem,
    dead_letters_key,
    dead_letters_problem,
)

if TYPE_CHECKING:
    from yabot_adapters.storage import StorageBackend

log = logging.getLogger(__name__)

CHECK_EVERY: Final = 15.0
"""Seconds between two looks: with the outbox's delivery, an alert reaches the admins within a minute."""
INCONSISTENCY_PREFIX: Final = "inconsistencia:"
"""Keys of reconciliation findings' problems (``inconsistencia:wallet.ledger``): opened by the finding's
handler, closed by the next reconciliation that finds nothing for that check."""
_BREAKER_TEXTS: Final = {
    STORAGE_BREAKER: "operations-problem-storage",
    "telegram": "operations-problem-telegram",
}
BREAKER_PROBLEMS: Final = tuple(_BREAKER_TEXTS)
"""The problems that are breakers open (what `yabot status` reads of the breakers of serving processes)."""
_SCAN: Final = 1000
MODULE_PROBLEM: Final = "operations-problem-module"


@dataclass(frozen=True, slots=True)
class Sla:
    """One of the seed's objectives: the share of ``histogram``'s observations above ``seconds`` allowed."""

    key: str
    title: str
    histogram: Histogram
    seconds: float
    share: float


SLAS: Final = (
    Sla("eventos", "La entrega de eventos", EVENT_LATENCY, EVENT_SLA, 0.05),
    Sla("almacenamiento", "El tiempo de las operaciones de almacenamiento", STORAGE_LATENCY, QUERY_SLA, 0.10),
)
"""Events p95 within 500 ms; storage operations p90 within 100 ms."""


@dataclass(slots=True)
class _SlaWatch:
    sla: Sla
    seen: tuple[float, float] = (0.0, 0.0)
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class HealthProbe:
    """A module's health check, named ``<module>.<check>``."""

    module: str
    name: str
    check: Callable[[], Awaitable[None]]


@dataclass(slots=True)
class Monitor:
    """Opens and closes problems; :meth:`check` is one look (the background loop calls it every ``every``)."""

    alerts: Alerts
    storage: "StorageBackend"
    breakers: Sequence[CircuitBreaker]
    health: Sequence[HealthProbe]
    messenger: Messenger
    phrasebook: Phrasebook
    admins: Sequence[UserId]
    clock: Clock
    stamper: EventStamper
    outbox_threshold: int = 1000
    sla_minutes: int = 5
    every: float = CHECK_EVERY
    _slas: list[_SlaWatch] = field(default_factory=lambda: [_SlaWatch(sla) for sla in SLAS])
    _told_directly: dict[str, tuple[Problem, datetime]] = field(default_factory=dict)
    _task: "asyncio.Task[None] | None" = None

    async def check(self) -> None:
        """Look once: set the gauges, open what is wrong, close what was wrong and is fine now."""
        if not await self._storage_answers():
            await self._storage_away()
            return
        await self._storage_back()
        observed: dict[str, Problem | None] = {}
        for breaker in self.breakers:
            if breaker.name != STORAGE_BREAKER:
                wrong = breaker.state is not BreakerState.CLOSED
                text = _BREAKER_TEXTS.get(breaker.name, "operations-problem-telegram")
                observed[breaker.name] = Problem(key=breaker.name, message=text) if wrong else None
        observed |= await self._outbox()
        observed |= await self._modules()
        observed |= self._sla()
        await self._gauges()
        waiting = await self._dead_letters()
        try:
            open_now = {opened.problem.key for opened in await self.alerts.open_problems()}
            for key, problem in observed.items():
                if problem is not None and key not in open_now:
                    await self.alerts.raise_problem(problem, with_events=self._events_of(problem))
                    open_now.add(key)
                elif problem is None and key in open_now:
                    await self.alerts.resolve(key)
                    open_now.discard(key)
            if waiting is not None:
                open_now -= await self._close_dead_letters(open_now, waiting)
        except UnavailableError:
            log.warning("could not record the alerts; trying again at the next look")
            return
        ALERTS_OPEN.set(len(open_now))

    async def _dead_letters(self) -> dict[str, DeadLetter] | None:
        """Each handler with dead letters waiting, and its newest; ``None`` when they cannot all be seen."""
        try:
            letters = await self.storage.dead_letter_queries.list(limit=_SCAN)
        except Exception:  # noqa: BLE001  (unread: nothing is closed on a guess)
            return None
        DEAD_LETTERS.set(len(letters))
        if len(letters) >= _SCAN:
            return None  # some handler's letters may lie beyond the scan: close nothing
        newest: dict[str, DeadLetter] = {}
        for letter in letters:  # newest first
            newest.setdefault(letter.handler, letter)
        return newest

    async def _close_dead_letters(self, open_now: set[str], waiting: dict[str, DeadLetter]) -> set[str]:
        """Close the dead-letters problems of handlers none of whose letters waits; return the closed keys.

        A letter dead-lettered between the read and the close found its problem still open and said
        nothing: a second read after closing reopens the problem for it.
        """
        idle = {key for key in open_now if key.startswith(DEAD_LETTERS_PREFIX)}
        idle -= {dead_letters_key(handler) for handler in waiting}
        closed: set[str] = set()
        for key in sorted(idle):
            if await self.alerts.resolve(key):
                closed.add(key)
        if closed:
            again = await self._dead_letters() or {}
            for key in sorted(closed):
                letter = again.get(key.removeprefix(DEAD_LETTERS_PREFIX))
                if letter is not None and await self.alerts.raise_problem(dead_letters_problem(letter)):
                    closed.discard(key)
        return closed

    def _events_of(self, problem: Problem) -> list[Event]:
        """What a problem publishes besides its alert: a module's failed health check, for other modules."""
        if problem.message != MODULE_PROBLEM:
            return []
        args = problem.args
        return [
            ModuleHealthCheckFailed(
                **self.stamper.stamp(),
                module=str(args["modulo"]),
                check=str(args["comprobacion"]),
                reason=str(args["motivo"]),
            )
        ]

    async def _storage_answers(self) -> bool:
        """Whether the storage answers (through its breaker: an open one is a no)."""
        try:
            await self.storage.ping()
        except UnavailableError:
            return False
        return True

    async def _outbox(self) -> dict[str, Problem | None]:
        try:
            backlog = await self.storage.outbox.backlog()
        except Exception:  # noqa: BLE001  (the storage's outage is the breaker's problem to report)
            return {}
        OUTBOX_DEPTH.clear()
        for handler, depth in backlog.items():
            OUTBOX_DEPTH.labels(handler).set(depth)
        total = sum(backlog.values())
        if total < self.outbox_threshold:
            return {"cola": None}
        args: dict[str, str | int] = {"eventos": total, "umbral": self.outbox_threshold}
        return {"cola": Problem(key="cola", message="operations-problem-outbox", args=args)}

    async def _modules(self) -> dict[str, Problem | None]:
        found: dict[str, Problem | None] = {}
        for probe in self.health:
            key = f"modulo:{probe.module}.{probe.name}"
            try:
                await probe.check()
            except Exception as exc:  # noqa: BLE001  (whatever failed, the module is unhealthy)
                reason = getattr(exc, "message", None) or type(exc).__name__
                args: dict[str, str | int] = {
                    "modulo": probe.module,
                    "comprobacion": probe.name,
                    "motivo": str(reason),
                }
                found[key] = Problem(key=key, message=MODULE_PROBLEM, args=args)
            else:
                found[key] = None
        return found

    def _sla(self) -> dict[str, Problem | None]:
        """Each SLA breached in every look of the last ``sla_minutes`` is a problem; one met is none.

        A look with no new observations says nothing: the last verdict stands.
        """
        now = self.clock.now()
        found: dict[str, Problem | None] = {}
        for watch in self._slas:
            sla = watch.sla
            total, over = count_over(sla.histogram, sla.seconds)
            seen_total, seen_over = watch.seen
            watch.seen = (total, over)
            if total > seen_total:
                breached = (over - seen_over) / (total - seen_total) > sla.share
                watch.since = (watch.since or now) if breached else None
            key = f"sla:{sla.key}"
            if watch.since is None:
                found[key] = None
                continue
            minutes = int((now - watch.since).total_seconds() // 60)
            if minutes >= self.sla_minutes:
                objective = f"{int(sla.seconds * 1000)} ms"
                args: dict[str, str | int] = {"medida": sla.title, "objetivo": objective, "minutos": minutes}
                found[key] = Problem(key=key, message="operations-problem-sla", args=args)
        return found

    async def _gauges(self) -> None:
        """Set the timers-due gauge (best effort: a failed read leaves it; dead letters: their own read)."""
        with contextlib.suppress(Exception):
            now = self.clock.now()
            pending = await self.storage.timer_store.pending(limit=_SCAN)
            TIMERS_DUE.set(sum(1 for timer in pending if timer.due_at <= now))

    async def _storage_away(self) -> None:
        """The storage cannot hold the alert: tell the admins directly, once per process."""
        if STORAGE_BREAKER in self._told_directly:
            return
        problem = Problem(key=STORAGE_BREAKER, message="operations-problem-storage")
        try:
            await tell_admins(self.messenger, self.admins, opened_text(self.phrasebook, problem))
        except Exception:
            log.warning("could not tell the admins the storage is away", exc_info=True)
            return
        self._told_directly[STORAGE_BREAKER] = (problem, self.clock.now())

    async def _storage_back(self) -> None:
        """The storage answers again: tell the admins who were told it was away."""
        told = self._told_directly.pop(STORAGE_BREAKER, None)
        if told is None:
            return
        problem, since = told
        text = resolved_text(self.phrasebook, problem, since, self.clock.now())
        try:
            await tell_admins(self.messenger, self.admins, text)
        except Exception:
            log.warning("could not tell the admins the storage is back", exc_info=True)
            self._told_directly[STORAGE_BREAKER] = told

    # --- in the background ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Look every ``every`` seconds until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._forever(), name="yabot-monitor")

    async def stop(self) -> None:
        """Stop looking."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _forever(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.check()
            except Exception:
                log.exception("the monitor's look failed; looking again shortly")
