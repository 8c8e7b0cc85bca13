"""What a mochila holds and how it changed: lines (user, item, quantity) and the operations that moved them.

Every change is an :class:`InventoryOperation` stored under its idempotency key: the same key applied again
returns that first operation and changes nothing, which turns at-least-once delivery (a retried button
press, a redelivered event) into exactly-once effects, as the wallet's ledger does for besitos.
"""

from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.inventory.catalog import ItemDefinition
from yabot_core.inventory.fields import ItemId
from yabot_core.kernel import CorrelationId, IdempotencyKey, UserId

ADMIN_GRANT: Final = "admin_grant"
"""Diana (an operator) gave the item: ``yabot items grant``. Lucien tells the fan."""

ADMIN_REMOVAL: Final = "admin_removal"
"""Diana (an operator) took the item back."""

USED: Final = "used"
"""The fan used the item up."""

COMBINED: Final = "combined"
"""Two items became a third."""


class OperationKind(StrEnum):
    """What an operation did to a mochila."""

    ADD = "add"
    REMOVE = "remove"
    USE = "use"
    COMBINE = "combine"


class InventoryLine(BaseModel):
    """How many of one item one user holds.

    A line is never deleted: one that drops to 0 stays, with its ``version``, so every change to a line is a
    compare-and-set on the version it was read at (storage refuses a stale one with a transient conflict).
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    item_id: ItemId
    quantity: int = Field(ge=0)
    version: int = Field(ge=1)


class ItemChange(BaseModel):
    """One item's part in an operation: ``delta`` (signed, never 0) and the quantity it left."""

    model_config = ConfigDict(frozen=True)

    item_id: ItemId
    delta: int
    quantity_after: int = Field(ge=0)


class InventoryOperation(BaseModel):
    """One change to one mochila, all of whose item changes committed together.

    ``items`` and ``quantity`` are what was asked (a combination's two ingredients, in the order given);
    ``changes`` what it did, one per item whose quantity moved. ``reason`` is a code (:data:`ADMIN_GRANT`...),
    ``note`` the words a person wrote with it.
    """

    model_config = ConfigDict(frozen=True)

    operation_id: str
    idempotency_key: IdempotencyKey
    user_id: UserId
    kind: OperationKind
    items: tuple[ItemId, ...]
    quantity: int
    changes: tuple[ItemChange, ...]
    reason: str
    note: str | None = None
    correlation_id: CorrelationId
    created_at: AwareDatetime

    def change(self, item_id: str) -> ItemChange | None:
        """This operation's change to ``item_id``, if it moved it."""
        return next((change for change in self.changes if change.item_id == item_id), None)

    def quantity_after(self, item_id: str) -> int | None:
        """How many of ``item_id`` the operation left, if it moved it."""
        change = self.change(item_id)
        return None if change is None else change.quantity_after


class InventoryPage(BaseModel):
    """A page of a user's lines holding at least one item, by item id, with how many such lines there are."""

    model_config = ConfigDict(frozen=True)

    lines: tuple[InventoryLine, ...]
    total: int
    limit: int
    offset: int


class HeldItem(BaseModel):
    """An item as a fan sees it: its catalog entry (``None`` if the creator removed it since) and quantity."""

    model_config = ConfigDict(frozen=True)

    item_id: ItemId
    quantity: int
    definition: ItemDefinition | None

    @property
    def name(self) -> str:
        """The item's name, or its id for an item the catalog no longer has."""
        return self.definition.name if self.definition is not None else self.item_id


class InventoryView(BaseModel):
    """A page of what a fan holds, by item id, with the catalog's word on each item."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    items: tuple[HeldItem, ...]
    total: int
    limit: int
    offset: int


class CombinationOption(BaseModel):
    """Something the fan holds that combines with an item: the partner, and what the two become."""

    model_config = ConfigDict(frozen=True)

    partner: HeldItem
    result: ItemDefinition


class QuantityMismatch(BaseModel):
    """A mochila line whose ``quantity`` is not ``movements`` (the sum of its operations' deltas)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    item_id: ItemId
    quantity: int
    movements: int
