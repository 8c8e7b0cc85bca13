"""Validation of mochila requests: what an operation must look like before it reaches storage.

Everything here raises the inventory's Spanish errors and changes nothing. A request's fingerprint is what a
replayed idempotency key must match: the same user, kind, items and quantity.
"""

from dataclasses import dataclass

from yabot_core.inventory.catalog import pair_key
from yabot_core.inventory.errors import InvalidQuantityError
from yabot_core.inventory.fields import MAX_ITEM_ID_LENGTH, MAX_QUANTITY, ItemId
from yabot_core.inventory.models import InventoryOperation, OperationKind
from yabot_core.kernel import (
    REASON_CODE,
    IdempotencyKey,
    IdempotencyKeyReusedError,
    InvalidInputError,
    UserId,
    checked_key,
    checked_note,
    checked_user_id,
    spanish_number,
)


@dataclass(frozen=True, slots=True)
class Request:
    """A validated request to change a mochila."""

    user_id: UserId
    kind: OperationKind
    items: tuple[ItemId, ...]
    quantity: int
    key: IdempotencyKey
    reason: str
    note: str | None = None

    def fingerprint(self) -> tuple[object, ...]:
        """What a replay of the key must repeat (a combination's ingredients in either order)."""
        return _fingerprint(self.user_id, self.kind, self.items, self.quantity, self.reason)


def checked_item(item_id: str) -> ItemId:
    """Return ``item_id`` if it could be an id (1 to 64 characters); the catalog decides the rest."""
    if not isinstance(item_id, str) or not item_id.strip() or len(item_id) > MAX_ITEM_ID_LENGTH:
        raise InvalidInputError(
            f"El id de un objeto es un texto de 1 a {MAX_ITEM_ID_LENGTH} caracteres.",
            detail={"item_id": repr(item_id)[:80]},
        )
    return ItemId(item_id.strip())


def checked_quantity(quantity: int) -> int:
    """Return ``quantity`` if it is a whole number from 1 to ``MAX_QUANTITY``."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidQuantityError(
            f"La cantidad debe ser un número entero entre 1 y {spanish_number(MAX_QUANTITY)}.",
            detail={"quantity": repr(quantity)[:80]},
        )
    return quantity


def checked_request(
    user_id: int,
    kind: OperationKind,
    items: tuple[str, ...],
    quantity: int,
    *,
    key: str,
    reason: str,
    note: str | None = None,
) -> Request:
    """Return the validated request, or raise the Spanish error that fits."""
    checked = checked_key(key)
    if not isinstance(reason, str) or not REASON_CODE.fullmatch(reason):
        raise InvalidInputError(
            "El motivo de la operación no es válido.", detail={"reason": repr(reason)[:50]}
        )
    return Request(
        user_id=checked_user_id(user_id),
        kind=kind,
        items=tuple(checked_item(item) for item in items),
        quantity=checked_quantity(quantity),
        key=checked,
        reason=reason,
        note=checked_note(note),
    )


def ensure_same(operation: InventoryOperation, request: Request) -> None:
    """A replayed key must describe the same operation; anything else is a caller's bug, refused loudly."""
    found = _fingerprint(
        operation.user_id, operation.kind, operation.items, operation.quantity, operation.reason
    )
    if found != request.fingerprint():
        raise IdempotencyKeyReusedError(detail={"idempotency_key": request.key})


def _fingerprint(
    user_id: UserId, kind: OperationKind, items: tuple[ItemId, ...], quantity: int, reason: str
) -> tuple[object, ...]:
    shown = pair_key(*items) if kind is OperationKind.COMBINE else items
    return (user_id, kind, shown, quantity, reason)
