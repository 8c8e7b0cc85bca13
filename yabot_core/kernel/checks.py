"""Checks of the values every module takes from its callers: a user id, an idempotency key, a note.

Each returns the value as the domain types it, or raises ``InvalidInputError`` with a Spanish message and
changes nothing; modules call them before (or at the start of) a unit of work.
"""

from yabot_core.kernel.errors import InvalidInputError
from yabot_core.kernel.ids import IdempotencyKey, UserId
from yabot_core.kernel.limits import MAX_KEY_LENGTH, MAX_NOTE_LENGTH, MAX_USER_ID


def checked_user_id(user_id: int) -> UserId:
    """Return ``user_id`` as a ``UserId`` if it is a whole number from 1 to ``MAX_USER_ID``."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id <= MAX_USER_ID:
        raise InvalidInputError(
            "El id de usuario debe ser un número entero positivo.", detail={"user_id": repr(user_id)[:80]}
        )
    return UserId(user_id)


def checked_key(key: str) -> IdempotencyKey:
    """Return ``key`` if it has 1 to ``MAX_KEY_LENGTH`` characters, not all blank."""
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInputError(
            f"La clave de idempotencia debe tener entre 1 y {MAX_KEY_LENGTH} caracteres.",
            detail={"idempotency_key": repr(key)[:50]},
        )
    return IdempotencyKey(key)


def checked_note(note: str | None) -> str | None:
    """Return ``note`` stripped (``None`` if blank) if it has at most ``MAX_NOTE_LENGTH`` characters."""
    if note is None:
        return None
    if not isinstance(note, str):
        raise InvalidInputError("La nota debe ser un texto.", detail={"note": repr(note)[:50]})
    note = note.strip() or None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise InvalidInputError(f"La nota no puede tener más de {MAX_NOTE_LENGTH} caracteres.")
    return note
