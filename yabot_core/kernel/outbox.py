"""The transactional outbox and dead letters, as the event bus sees them through storage ports."""

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from yabot_core.kernel.errors import ConflictError, NotFoundError, YabotError
from yabot_core.kernel.events import Event
from yabot_core.kernel.ids import EventId, UserId
from yabot_core.kernel.uow import UnitOfWork

EventRouter = Callable[[Event], Sequence[str]]
"""Names the handlers owed an event, when its unit of work commits (the bus's declared routes)."""


class OutboxRecord(BaseModel):
    """A committed event one handler has not finished with yet.

    Committing a unit of work writes, for each event it recorded, one delivery per handler its route names
    (a consumer group per handler, in effect). ``position`` grows with commit order among records of the
    same ``user_id`` (adapters may number all records globally); each handler receives one user's records
    in ``position`` order.
    """

    model_config = ConfigDict(frozen=True)

    event_id: EventId
    event_type: str
    payload: str
    user_id: UserId | None
    position: int
    created_at: AwareDatetime


class OutboxStore(Protocol):
    """The outbox as relays see it, outside any unit of work.

    Records are written only by committing a unit of work (``UnitOfWork.record``), routed to handlers by the
    storage's :data:`EventRouter`; an event no handler is owed is not kept.
    """

    async def pending(self, handler: str, limit: int) -> Sequence[OutboxRecord]:
        """Return up to ``limit`` records ``handler`` is owed, oldest first (one user's in position order)."""
        ...

    async def acknowledge(self, handler: str, event_ids: Sequence[EventId]) -> None:
        """Record that ``handler`` is done with these events (idempotent); an event owed to nobody goes."""
        ...

    async def expire(self, handler: str, before: datetime) -> int:
        """Drop what ``handler`` is owed of events committed before ``before``; return how many went."""
        ...

    async def backlog(self) -> Mapping[str, int]:
        """Return, per handler, how many records it is owed (handlers owed nothing are absent)."""
        ...

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take or renew the named lease for ``owner`` until ``until``.

        Succeeds when the lease is free, expired at ``now``, or already held by ``owner``. Atomic across
        processes: two owners never hold the same unexpired lease.
        """
        ...

    async def release_lease(self, name: str, owner: str) -> None:
        """Give the named lease up if ``owner`` holds it."""
        ...


class DeadLetter(BaseModel):
    """An event one handler failed on every attempt, kept for inspection and replay."""

    model_config = ConfigDict(frozen=True)

    dead_letter_id: str
    event_id: EventId
    event_type: str
    payload: str
    user_id: UserId | None
    handler: str
    error: str
    attempts: int
    failed_at: AwareDatetime
    replayed_at: AwareDatetime | None = None


def dead_letter_id(event_id: EventId, handler: str) -> str:
    """Derive the dead letter's id from what failed, so a retried dead-lettering writes it only once."""
    return hashlib.sha256(f"{event_id}\x00{handler}".encode()).hexdigest()[:12]


class DeadLetterRepository(Protocol):
    """Dead letters inside a unit of work, so storing one and announcing it commit together."""

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        """Return the dead letter, or ``None``."""
        ...

    async def save(self, dead_letter: DeadLetter) -> None:
        """Insert or replace the dead letter with the same id."""
        ...


class DeadLetterQueries(Protocol):
    """Read-only access to dead letters for operators."""

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        """Return dead letters, newest failure first."""
        ...

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        """Return the dead letter, or ``None``."""
        ...


class BusUnitOfWork(UnitOfWork, Protocol):
    """The unit of work the bus needs to dead-letter an event and announce it atomically."""

    @property
    def dead_letters(self) -> DeadLetterRepository:
        """The dead letters of this transaction."""
        ...


class DeadLetterNotFoundError(NotFoundError):
    """No dead letter has that id."""

    code = "mensaje_muerto_no_encontrado"

    def __init__(self, dead_letter_id: str) -> None:
        super().__init__(
            f"No existe ningún evento fallido con el id {dead_letter_id}.",
            detail={"dead_letter_id": dead_letter_id},
        )


class DeadLetterAlreadyReplayedError(ConflictError):
    """The dead letter was already delivered by an earlier replay."""

    code = "mensaje_muerto_ya_reenviado"

    def __init__(self, dead_letter_id: str) -> None:
        super().__init__(
            f"El evento fallido {dead_letter_id} ya se reenvió con éxito.",
            detail={"dead_letter_id": dead_letter_id},
        )


class DeadLetterReplayInProgressError(ConflictError):
    """Another process is replaying the same dead letter right now."""

    code = "mensaje_muerto_reenviandose"

    def __init__(self, dead_letter_id: str) -> None:
        super().__init__(
            f"El evento fallido {dead_letter_id} ya se está reenviando desde otro proceso; "
            "espere a que termine y compruebe el resultado con «yabot events dead-letters --all».",
            detail={"dead_letter_id": dead_letter_id},
        )


class ReplayFailedError(YabotError):
    """Replaying a dead letter failed again; it stays dead with the new error."""

    code = "reenvio_fallido"

    def __init__(self, dead_letter_id: str, error: str) -> None:
        super().__init__(
            f"El reenvío del evento {dead_letter_id} volvió a fallar: {error}",
            detail={"dead_letter_id": dead_letter_id, "error": error},
        )


class HandlerUnavailableError(YabotError):
    """A dead letter's handler needs something this process lacks (the Telegram bot, say)."""

    code = "manejador_no_disponible"

    def __init__(self, handler: str, why: str) -> None:
        super().__init__(
            f"El manejador {handler} no puede ejecutarse en este proceso: {why}",
            detail={"handler": handler},
        )


class UnknownHandlerError(NotFoundError):
    """A dead letter names a handler no longer subscribed."""

    code = "manejador_desconocido"

    def __init__(self, handler: str) -> None:
        super().__init__(
            f"Ningún manejador se llama {handler}; no hay a quién reenviar el evento.",
            detail={"handler": handler},
        )
