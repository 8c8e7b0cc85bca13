"""A broadcast: one text to an audience, sent to each fan at most once, with its per-recipient record."""

from datetime import timedelta
from enum import StrEnum
from typing import Final, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from yabot_core.kernel import UserId

MAX_TEXT: Final = 4096
MAX_LIST: Final = 10_000
"""Fans named one by one in an explicit list."""
CATEGORIES: Final = {
    "novedades": "Novedades del canal y del contenido de Diana",
    "ofertas": "Ofertas, rebajas y precios especiales",
    "eventos": "Eventos, sorteos y subastas",
    "recordatorios": "Recordatorios de tu suscripción y de tus regalos",
}
"""What fans can opt out of, each described in Spanish (``/notificaciones``)."""
MAX_SEND_ATTEMPTS: Final = 3
"""Times a recipient Telegram refused for now (not sent) is tried before being counted as failed."""


class AudienceKind(StrEnum):
    """Who a broadcast is for."""

    ALL = "todos"
    VIP = "vip"
    FREE = "gratuitos"
    EXPIRING = "por_vencer"
    LIST = "lista"


class Audience(BaseModel):
    """An audience: a kind, the fans named (for ``lista``), the days ahead (for ``por_vencer``)."""

    model_config = ConfigDict(frozen=True)

    kind: AudienceKind
    user_ids: tuple[UserId, ...] = Field(default=(), max_length=MAX_LIST)
    days: int = Field(default=3, ge=1, le=60)

    @model_validator(mode="after")
    def _named(self) -> Self:
        if (self.kind is AudienceKind.LIST) != bool(self.user_ids):
            msg = "una lista de destinatarios (y solo ella) nombra a los fans uno a uno"
            raise ValueError(msg)
        if any(user <= 0 for user in self.user_ids):
            msg = "los ids de usuario son números positivos"
            raise ValueError(msg)
        return self

    @property
    def window(self) -> timedelta:
        """How far ahead ``por_vencer`` looks."""
        return timedelta(days=self.days)


class BroadcastState(StrEnum):
    """A broadcast's life: waiting for its time, sending, finished, or cancelled."""

    SCHEDULED = "programada"
    SENDING = "enviando"
    FINISHED = "terminada"
    CANCELLED = "cancelada"

    @property
    def active(self) -> bool:
        """Whether a runner still has work to do on it."""
        return self in {BroadcastState.SCHEDULED, BroadcastState.SENDING}


class RecipientState(StrEnum):
    """One fan's part of a broadcast.

    ``enviando`` is written (committed) right before Telegram is asked; ``enviado`` once it answered. A
    recipient found ``enviando`` after a crash may have received it, so it is never sent again: it becomes
    ``incierto``.
    """

    PENDING = "pendiente"
    CLAIMED = "enviando"
    SENT = "enviado"
    BLOCKED = "bloqueado"
    SKIPPED = "omitido"
    FAILED = "fallido"
    UNCERTAIN = "incierto"


class Broadcast(BaseModel):
    """A broadcast; ``cursor`` is the last fan of its audience written down as a recipient (keyset)."""

    model_config = ConfigDict(frozen=True)

    broadcast_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    audience: Audience
    category: str
    protect: bool
    start_at: AwareDatetime
    state: BroadcastState = BroadcastState.SCHEDULED
    prepared: bool = False
    """Whether every fan of the audience is written down as a recipient."""
    cursor: UserId | None = None
    lease_owner: str | None = None
    lease_until: AwareDatetime | None = None
    created_by: str
    created_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    version: int = Field(default=1, ge=1)

    def changed(self, **changes: object) -> "Broadcast":
        """This broadcast with ``changes``, one version on."""
        return self.model_copy(update={**changes, "version": self.version + 1})


class Recipient(BaseModel):
    """One fan of a broadcast and what became of their message."""

    model_config = ConfigDict(frozen=True)

    broadcast_id: str
    user_id: UserId
    state: RecipientState = RecipientState.PENDING
    attempts: int = Field(default=0, ge=0)


class BroadcastProgress(BaseModel):
    """How far a broadcast got: for a live progress bar and the final counts."""

    model_config = ConfigDict(frozen=True)

    broadcast_id: str
    state: BroadcastState
    prepared: bool
    total: int = 0
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    skipped: int = 0
    failed: int = 0
    uncertain: int = 0

    @property
    def done(self) -> int:
        """Recipients settled one way or another."""
        return self.total - self.pending - self.sending

    @property
    def fraction(self) -> float:
        """Settled over total (0 to 1; 0 while the audience is still being written down)."""
        return self.done / self.total if self.total else 0.0

    def bar(self, width: int = 20) -> str:
        """``[#####.....] 50 % (500/1000)``: what a CLI or an edited Telegram message shows."""
        filled = round(self.fraction * width)
        percent = round(self.fraction * 100)
        return f"[{'#' * filled}{'.' * (width - filled)}] {percent} % ({self.done}/{self.total})"


class NotificationPreferences(BaseModel):
    """The categories a fan opted out of (none, by default)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    opted_out: frozenset[str] = frozenset()
    version: int = Field(default=0, ge=0)
    """0 for a fan who never chose (nothing stored); stored versions start at 1."""

    def wants(self, category: str) -> bool:
        """Whether the fan receives broadcasts of ``category``."""
        return category not in self.opted_out
