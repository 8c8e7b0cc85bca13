"""Validation of wallet requests: what a movement must look like before it reaches storage.

Everything here raises the wallet's Spanish errors and changes nothing; the service calls it before (or at the
start of) a unit of work.
"""

from dataclasses import dataclass

from yabot_core.kernel import (
    IdempotencyKey,
    IdempotencyKeyReusedError,
    InvalidInputError,
    UserId,
    checked_caller_key,
    checked_note,
    checked_user_id,
    spanish_number,
)
from yabot_core.wallet.errors import InvalidAmountError
from yabot_core.wallet.models import MAX_AMOUNT, LedgerEntry, LedgerReason


@dataclass(frozen=True, slots=True)
class Posting:
    """A validated request to move besitos; ``amount`` is signed."""

    user_id: UserId
    amount: int
    reason: LedgerReason
    key: IdempotencyKey
    note: str | None = None
    hold_id: str | None = None


def checked_posting(
    user_id: int,
    amount: int,
    reason: LedgerReason,
    key: str,
    note: str | None,
    *,
    sign: int = 1,
    escrow: bool = False,
) -> Posting:
    """Return the validated movement (``amount`` signed by ``sign``), or raise the Spanish error that fits.

    ``escrow`` allows the reserved escrow reasons (only hold passes it).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
        raise InvalidAmountError(
            f"La cantidad de besitos debe ser un número entero entre 1 y {spanish_number(MAX_AMOUNT)}.",
            detail={"amount": repr(amount)},
        )
    if not isinstance(reason, LedgerReason) or not reason.is_defined:
        raise InvalidInputError("El motivo del movimiento no es válido.", detail={"reason": repr(reason)})
    if reason.is_escrow and not escrow:
        raise InvalidInputError(
            "Las reservas solo se mueven con reservar y liberar.", detail={"reason": reason}
        )
    checked = checked_caller_key(key)
    return Posting(checked_user_id(user_id), sign * amount, reason, checked, checked_note(note))


def ensure_same(entry: LedgerEntry, posting: Posting) -> None:
    """A replayed key must describe the same movement; anything else is a caller's bug, refused loudly."""
    if (entry.user_id, entry.amount, entry.reason) != (posting.user_id, posting.amount, posting.reason):
        raise IdempotencyKeyReusedError(detail={"idempotency_key": posting.key})
