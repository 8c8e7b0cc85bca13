"""Validation of subscription requests, and the keys YABOT derives for payments, refunds and expiries.

Everything here raises the module's Spanish errors and changes nothing. Times are kept in whole seconds:
every backend then stores them exactly (MongoDB keeps milliseconds), so the history adds up to the state
to the second on all of them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from yabot_core.kernel import (
    IdempotencyKey,
    IdempotencyKeyReusedError,
    InvalidInputError,
    SystemKey,
    UserId,
    checked_caller_key,
    checked_note,
    checked_user_id,
    spanish_number,
    system_key,
)
from yabot_core.subscriptions.errors import InvalidDurationError
from yabot_core.subscriptions.models import (
    MAX_REFERENCE_LENGTH,
    EntryKind,
    Source,
    SubscriptionEntry,
)
from yabot_core.subscriptions.plans import MAX_DAYS

MAX_AHEAD: Final = timedelta(days=MAX_DAYS)
"""The furthest ahead any VIP may end, counted from now: ten years."""

ADDING: Final = frozenset({EntryKind.GRANT, EntryKind.EXTEND})
"""The kinds a grant or extension request may leave (a grant extends an active VIP)."""
REVOKING: Final = frozenset({EntryKind.REVOKE})
CANCELLING: Final = frozenset({EntryKind.CANCEL})
REFUNDING: Final = frozenset({EntryKind.REFUND})
EXPIRING: Final = frozenset({EntryKind.EXPIRE})

MAX_PAGE_SIZE: Final = 100
MAX_OFFSET: Final = 2**53 - 1
"""The deepest a page may start: exact in JSON and inside every backend's 64-bit integers."""


def whole_seconds(moment: datetime) -> datetime:
    """``moment`` without its fraction of a second."""
    return moment.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Request:
    """A validated request to change one fan's VIP. ``days`` or ``until`` only for grants and extensions."""

    user_id: UserId
    kinds: frozenset[EntryKind]
    key: IdempotencyKey
    source: Source
    days: int | None = None
    until: datetime | None = None
    reason: str | None = None
    plan_id: str | None = None

    def fingerprint(self) -> tuple[object, ...]:
        """What a replay of the key must repeat: the same fan, operation, length and source."""
        return (self.user_id, self.kinds, self.days, self.until, self.source)


def check_page(limit: int, offset: int) -> None:
    """Refuse a page size outside 1..``MAX_PAGE_SIZE`` or an offset outside 0..``MAX_OFFSET``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_PAGE_SIZE}.")
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidInputError(f"El desplazamiento debe estar entre 0 y {MAX_OFFSET}.")


def checked_length(days: int | None, until: datetime | None) -> tuple[int | None, datetime | None]:
    """Return ``days`` or ``until`` (in whole seconds), exactly one of them, checked.

    Raises:
        InvalidDurationError: both or neither, days outside 1..``MAX_DAYS``, or an end without time zone.
    """
    if (days is None) == (until is None):
        raise InvalidDurationError
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise InvalidDurationError(
                f"Los días de VIP deben ser un número entero entre 1 y {spanish_number(MAX_DAYS)}.",
                detail={"days": repr(days)[:50]},
            )
        return days, None
    if not isinstance(until, datetime) or until.tzinfo is None:
        raise InvalidDurationError("La fecha de fin del VIP debe llevar zona horaria.")
    return None, whole_seconds(until)


def checked_end(until: datetime, now: datetime) -> datetime:
    """Return ``until`` if it is ahead of ``now`` and within ``MAX_AHEAD`` of it.

    Raises:
        InvalidDurationError: an end already past, or too far ahead.
    """
    if until <= now:
        raise InvalidDurationError("La fecha de fin del VIP ya ha pasado: indique una futura.")
    if until - now > MAX_AHEAD:
        raise InvalidDurationError(
            f"El VIP no puede terminar más de {spanish_number(MAX_DAYS)} días después de hoy."
        )
    return until


def checked_reference(reference: str, what: str = "El cargo") -> str:
    """Return a charge id or token code if it has 1 to ``MAX_REFERENCE_LENGTH`` characters, not all blank."""
    if not isinstance(reference, str) or not reference.strip() or len(reference) > MAX_REFERENCE_LENGTH:
        raise InvalidInputError(
            f"{what} debe tener entre 1 y {MAX_REFERENCE_LENGTH} caracteres.",
            detail={"reference": repr(reference)[:50]},
        )
    return reference


def checked_request(
    user_id: int,
    kinds: frozenset[EntryKind],
    key: str,
    *,
    source: Source,
    days: int | None = None,
    until: datetime | None = None,
    reason: str | None = None,
    plan_id: str | None = None,
) -> Request:
    """Return the validated request, or raise the Spanish error that fits (nothing changes then)."""
    if kinds & ADDING:
        days, until = checked_length(days, until)
    if source.reference is not None:
        checked_reference(source.reference)
    return Request(
        user_id=checked_user_id(user_id),
        kinds=kinds,
        key=checked_caller_key(key),
        source=source,
        days=days,
        until=until,
        reason=checked_note(reason),
        plan_id=plan_id,
    )


def ensure_same(entry: SubscriptionEntry, request: Request) -> None:
    """A replayed key must describe the same operation; anything else is a caller's bug, refused loudly."""
    found = (
        entry.user_id,
        request.kinds if entry.kind in request.kinds else frozenset({entry.kind}),
        entry.days,
        entry.requested_until,
        Source(entry.source, entry.reference),
    )
    if found != request.fingerprint():
        raise IdempotencyKeyReusedError(detail={"idempotency_key": request.key})


def payment_key(charge_id: str) -> SystemKey:
    """The key of the grant a payment bought: one per Telegram charge id, however often it is delivered."""
    return system_key("vip-payment", charge_id)


def refund_key(charge_id: str) -> SystemKey:
    """The key of a payment's refund: a charge is refunded once."""
    return system_key("vip-refund", charge_id)


def expiry_key(user_id: UserId, period_sequence: int) -> SystemKey:
    """The key of a period's expiry: each period expires once."""
    return system_key("vip-expire", user_id, period_sequence)
