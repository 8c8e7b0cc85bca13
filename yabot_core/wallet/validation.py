"""Validation of wallet requests: what a movement must look like before it reaches storage.

Everything here raises the wallet's Spanish errors and changes nothing; the service calls it before (or at the
start of) a unit of work.
"""

from dataclasses import dataclass
from typing import Final

from yabot_core.kernel import (
    MAX_USER_ID,
    IdempotencyKey,
    IdempotencyKeyReusedError,
    InvalidInputError,
    UserId,
)
from yabot_core.wallet.errors import InvalidAmountError
from yabot_core.wallet.keys import RESERVED_PREFIX, SystemKey
from yabot_core.wallet.models import MAX_AMOUNT, LedgerEntry, LedgerReason

MAX_KEY_LENGTH: Final = 200
MAX_NOTE_LENGTH: Final = 200


@dataclass(frozen=True, slots=True)
class Posting:
    """A validated request to move besitos; ``amount`` is signed."""

    user_id: UserId
    amount: int
    reason: LedgerReason
    key: IdempotencyKey
    note: str | None = None
    hold_id: str | None = None


def checked_user(user_id: int) -> UserId:
    """Return ``user_id`` as a ``UserId`` if it is a whole number from 1 to ``MAX_USER_ID``."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id <= MAX_USER_ID:
        raise InvalidInputError(
            "El id de usuario debe ser un número entero positivo.", detail={"user_id": repr(user_id)}
        )
    return UserId(user_id)


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
            f"La cantidad de besitos debe ser un número entero entre 1 y {MAX_AMOUNT:,}.".replace(",", "."),
            detail={"amount": repr(amount)},
        )
    if not isinstance(reason, LedgerReason) or not reason.is_defined:
        raise InvalidInputError("El motivo del movimiento no es válido.", detail={"reason": repr(reason)})
    if reason.is_escrow and not escrow:
        raise InvalidInputError(
            "Las reservas solo se mueven con reservar y liberar.", detail={"reason": reason}
        )
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"La clave de idempotencia debe tener entre 1 y {MAX_KEY_LENGTH} caracteres.",
            detail={"idempotency_key": repr(key)[:50]},
        )
    if key.startswith(RESERVED_PREFIX) and not isinstance(key, SystemKey):
        raise InvalidInputError(
            f"Las claves de idempotencia que empiezan por «{RESERVED_PREFIX}» están reservadas para YABOT.",
            detail={"idempotency_key": key[:50]},
        )
    if note is not None:
        note = note.strip() or None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidInputError(f"La nota no puede tener más de {MAX_NOTE_LENGTH} caracteres.")
    return Posting(checked_user(user_id), sign * amount, reason, IdempotencyKey(key), note)


def ensure_same(entry: LedgerEntry, posting: Posting) -> None:
    """A replayed key must describe the same movement; anything else is a caller's bug, refused loudly."""
    if (entry.user_id, entry.amount, entry.reason) != (posting.user_id, posting.amount, posting.reason):
        raise IdempotencyKeyReusedError(detail={"idempotency_key": posting.key})
