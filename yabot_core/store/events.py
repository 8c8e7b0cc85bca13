"""Events the tienda publishes; missions, achievements and the ranking may react to them."""

from typing import ClassVar

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId


class ItemPurchased(Event):
    """A fan bought one unit of an item for ``price`` besitos (the debit and the mochila in one commit)."""

    event_type: ClassVar[str] = "store.item_purchased"

    user_id: UserId
    purchase_id: str
    item_id: ItemId
    price: int
    entry_id: str
    """The ledger entry of the debit."""
    operation_id: str
    """The mochila's operation that added the item."""
