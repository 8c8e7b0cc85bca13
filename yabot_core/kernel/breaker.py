"""Circuit breakers: after repeated failures of a dependency, stop calling it for a while and fail at once.

A pure policy over the :class:`Clock`: an adapter asks :meth:`CircuitBreaker.check` before each call and
reports how the call went. Closed, it lets everything through and counts consecutive failures; after
``failures`` of them it opens for ``open_for`` and refuses calls with :class:`CircuitOpenError` (an
``UnavailableError``: entry points answer it as "inténtelo en un momento", the bus leaves the event in the
outbox). When the time is up it is half-open: one trial call goes through; its success closes the breaker,
its failure opens it again for another ``open_for``. So a dead storage costs a fan a fast, polite answer
instead of a hanging one, and the dependency is not hammered while it recovers.
"""

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, TypeVar

from yabot_core.kernel.clock import Clock
from yabot_core.kernel.errors import UnavailableError

T = TypeVar("T")

BREAKER_OPEN_FOR: Final = timedelta(seconds=30)
"""How long a breaker stays open before it lets a trial call through (the seed's figure)."""
BREAKER_FAILURES: Final = 5
"""Consecutive failures that open a breaker."""


class BreakerState(enum.StrEnum):
    """Where a breaker stands; the values are the Spanish words ``yabot status`` shows."""

    CLOSED = "cerrado"
    OPEN = "abierto"
    HALF_OPEN = "semiabierto"


class CircuitOpenError(UnavailableError):
    """A breaker is open: the dependency failed repeatedly and is not called again yet; nothing changed."""

    code = "circuito_abierto"
    default_message = "Hay una dificultad técnica pasajera; inténtelo de nuevo en un momento."

    def __init__(self, breaker: str, retry_in: float) -> None:
        seconds = max(1, round(retry_in))
        super().__init__(
            f"Hay una dificultad técnica pasajera ({breaker}); inténtelo de nuevo en un momento.",
            detail={"servicio": breaker, "reintentar_en_segundos": seconds},
        )
        self.breaker = breaker
        self.retry_in = seconds


@dataclass(frozen=True, slots=True)
class BreakerStatus:
    """A breaker as an operator sees it."""

    name: str
    state: BreakerState
    failures: int
    """Consecutive failures counted so far."""
    opened_at: datetime | None
    """When it last opened (``None``: never since it last closed)."""
    times_opened: int
    """How many times it opened since the process started."""


class CircuitBreaker:
    """One dependency's breaker (``name``: ``almacenamiento``, ``telegram``). Not shared across processes.

    Each process judges the dependency from its own calls: a storage unreachable from one machine may be
    reachable from another.
    """

    def __init__(
        self,
        name: str,
        clock: Clock,
        *,
        failures: int = BREAKER_FAILURES,
        open_for: timedelta = BREAKER_OPEN_FOR,
    ) -> None:
        if failures < 1 or open_for <= timedelta(0):
            msg = "a breaker needs at least one failure to open and a positive time open"
            raise ValueError(msg)
        self.name = name
        self._clock = clock
        self._threshold = failures
        self._open_for = open_for
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial = False
        self._times_opened = 0

    @property
    def state(self) -> BreakerState:
        """Closed, open, or half-open (open, with its time up: the next call is a trial)."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock.now() < self._opened_at + self._open_for:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def status(self) -> BreakerStatus:
        """The breaker's state for ``yabot status``, metrics and alerts."""
        return BreakerStatus(self.name, self.state, self._failures, self._opened_at, self._times_opened)

    def check(self) -> None:
        """Let a call through, or refuse it at once.

        Raises:
            CircuitOpenError: the breaker is open, or half-open with its one trial call still running.
        """
        state = self.state
        if state is BreakerState.CLOSED:
            return
        opened_at = self._opened_at
        assert opened_at is not None  # noqa: S101  (not closed: it opened at some time)
        if state is BreakerState.HALF_OPEN and not self._trial:
            self._trial = True
            return
        retry_in = (opened_at + self._open_for - self._clock.now()).total_seconds()
        raise CircuitOpenError(self.name, retry_in)

    def succeeded(self) -> None:
        """A call went well: close the breaker and forget past failures."""
        self._failures = 0
        self._opened_at = None
        self._trial = False

    def failed(self) -> None:
        """A call failed as the dependency fails (unreachable, 5xx): count it; open if one too many.

        A failed trial call (half-open) opens the breaker again for a whole ``open_for``.
        """
        self._failures += 1
        if self._trial or (self._opened_at is None and self._failures >= self._threshold):
            self._opened_at = self._clock.now()
            self._times_opened += 1
        self._trial = False

    def released(self) -> None:
        """A call let through ended neither way (cancelled): a later call may be the trial."""
        self._trial = False

    async def call(self, call: Callable[[], Awaitable[T]], *, counts: Callable[[BaseException], bool]) -> T:
        """Await ``call()`` through the breaker; ``counts`` says which errors are the dependency's failures.

        Any other error means the dependency answered (with a refusal): it closes the breaker like a success.

        Raises:
            CircuitOpenError: the breaker refused the call (``call`` was not awaited).
        """
        self.check()
        try:
            result = await call()
        except Exception as exc:
            if counts(exc):
                self.failed()
            else:  # the dependency answered: a refusal of ours (saldo insuficiente) is no outage
                self.succeeded()
            raise
        except BaseException:
            self.released()  # cancelled: nothing learnt either way
            raise
        self.succeeded()
        return result
