"""Events the mochila publishes; missions, achievements and the story react to them."""

from typing import ClassVar

from yabot_core.inventory.fields import ItemId
from yabot_core.kernel import Event, UserId


class InventoryEvent(Event):
    """Base of the mochila's events: one user's mochila changed, by the operation ``operation_id``."""

    user_id: UserId
    operation_id: str


class ItemAdded(InventoryEvent):
    """``quantity`` of an item went into the mochila (``reason`` says who put it: ``admin_grant``...)."""

    event_type: ClassVar[str] = "inventory.item_added"

    item_id: ItemId
    quantity: int
    quantity_after: int
    reason: str
    note: str | None = None


class ItemRemoved(InventoryEvent):
    """``quantity`` of an item left the mochila, taken out (not used, not combined)."""

    event_type: ClassVar[str] = "inventory.item_removed"

    item_id: ItemId
    quantity: int
    quantity_after: int
    reason: str
    note: str | None = None


class ItemUsed(InventoryEvent):
    """The fan used one of an item up (Lucien read the pista to them, or took the object)."""

    event_type: ClassVar[str] = "inventory.item_used"

    item_id: ItemId
    quantity_after: int


class ItemsCombined(InventoryEvent):
    """Two items (``ingredients``, as given; the same id twice for ``A + A``) became one ``result``."""

    event_type: ClassVar[str] = "inventory.items_combined"

    ingredients: tuple[ItemId, ItemId]
    result: ItemId
    result_quantity_after: int
