"""Durable timers: work due at a time, kept in storage, fired once as an event through the outbox.

A module schedules a timer in the same unit of work as the change that needs it (a subscription and its
expiry, a message and its delivery time). When the timer is due, a ticker claims it (atomically, with a lease:
a claim not completed in time is claimed again), then in one unit of work completes it and records
:class:`TimerFired`. Completing checks the claim is still the ticker's own, so a cancelled, rescheduled or
re-claimed timer is not fired by a stale claim: each scheduled, uncancelled timer fires exactly once, and
its event reaches handlers with the bus's retries, dead letters and replay.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Final, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from yabot_core.kernel.correlation import current_scope
from yabot_core.kernel.errors import InvalidInputError
from yabot_core.kernel.events import Event
from yabot_core.kernel.ids import CorrelationId, UserId
from yabot_core.kernel.uow import UnitOfWork

MAX_TIMER_KEY: Final = 200
"""Keys are chosen by modules (``lucien:42:1``); long enough for a prefix and two ids."""


class Timer(BaseModel):
    """A timer: ``kind`` says which handlers fire on it, ``payload`` what they need to know.

    ``claim`` is set while a ticker holds it (until ``claimed_until``); a fresh or rescheduled timer has
    none.
    """

    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1, max_length=MAX_TIMER_KEY)
    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")
    due_at: AwareDatetime
    payload: dict[str, JsonValue] = Field(default_factory=dict)
    user_id: UserId | None = None
    correlation_id: CorrelationId | None = None
    """The chain of events the timer continues when it fires (the update or request that scheduled it)."""
    scheduled_at: AwareDatetime
    claim: str | None = None
    claimed_until: AwareDatetime | None = None


def new_timer(
    key: str,
    kind: str,
    due_at: datetime,
    *,
    now: datetime,
    payload: dict[str, JsonValue] | None = None,
    user_id: UserId | None = None,
) -> Timer:
    """Return a timer to schedule, validated; it continues the current correlation chain when it fires.

    Raises:
        InvalidInputError: a key that is empty or too long, a malformed kind, or a naive time.
    """
    if due_at.tzinfo is None:
        raise InvalidInputError("La hora de un aviso programado debe llevar zona horaria.")
    if not key or len(key) > MAX_TIMER_KEY:
        raise InvalidInputError(
            f"La clave de un aviso programado debe tener entre 1 y {MAX_TIMER_KEY} caracteres."
        )
    try:
        scope = current_scope()
        return Timer(
            key=key,
            kind=kind,
            due_at=due_at,
            payload=payload or {},
            user_id=user_id,
            correlation_id=scope.correlation_id if scope else None,
            scheduled_at=now,
        )
    except ValueError as exc:
        raise InvalidInputError("El aviso programado no es válido.", detail={"kind": kind}) from exc


class TimerFired(Event):
    """A timer came due. Handlers subscribe to its ``kind`` (its route is ``timer.fired:<kind>``)."""

    event_type: ClassVar[str] = "timer.fired"

    key: str
    kind: str
    due_at: AwareDatetime
    payload: dict[str, JsonValue] = Field(default_factory=dict)

    @property
    def route(self) -> str:
        """Only the handlers of this timer's kind receive it."""
        return timer_route(self.kind)


def timer_route(kind: str) -> str:
    """The route handlers of timers of ``kind`` subscribe to."""
    return f"{TimerFired.event_type}:{kind}"


class TimerRepository(Protocol):
    """Timers inside a unit of work: scheduled and cancelled together with the changes that need them."""

    async def schedule(self, timer: Timer) -> None:
        """Insert the timer, or replace the one with the same key (dropping any claim on it)."""
        ...

    async def cancel(self, key: str) -> bool:
        """Remove the timer with that key; return whether there was one. A cancelled timer never fires."""
        ...

    async def get(self, key: str) -> Timer | None:
        """Return the timer with that key, or ``None`` (fired, cancelled, or never scheduled)."""
        ...

    async def complete(self, timer: Timer) -> bool:
        """Remove ``timer`` if it still carries the same claim; return whether it did.

        ``False`` means it was cancelled, rescheduled or claimed again meanwhile: the caller must not fire it.
        """
        ...


class TimersUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can reach timers."""

    @property
    def timers(self) -> TimerRepository:
        """The timers of this transaction."""
        ...


class TimerStore(Protocol):
    """Timers as the ticker and operators see them, outside any unit of work."""

    async def claim_due(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[Timer]:
        """Claim up to ``limit`` due timers nobody holds (or whose claim expired), earliest first.

        They are marked with ``claim`` until ``until`` and returned so marked.

        Atomic across processes: two claimers never hold the same timer at once.
        """
        ...

    async def pending(self, *, limit: int, kind: str | None = None) -> Sequence[Timer]:
        """Return up to ``limit`` timers not yet fired, earliest due first (of ``kind``, if given)."""
        ...

    async def next_due(self) -> datetime | None:
        """Return when a timer next becomes claimable (due, and any claim on it expired), or ``None``."""
        ...
