"""Telling fans about items Diana gave them, in Lucien's voice."""

from typing import Final

from yabot_core.inventory.catalog import ItemCatalog
from yabot_core.inventory.events import ItemAdded
from yabot_core.inventory.models import ADMIN_GRANT
from yabot_core.lucien import Lucien

GRANT_RECEIVED: Final = "inventory-grant-received"
GRANT_RECEIVED_WITH_NOTE: Final = "inventory-grant-received-with-note"


class ItemNotices:
    """Announces Diana's gifts (operator grants) to the fan; other additions stay silent.

    Delivery is at least once, so after a crash a fan may rarely hear the same news twice: Telegram offers no
    way to make a message idempotent.
    """

    def __init__(self, lucien: Lucien, catalog: ItemCatalog) -> None:
        self._lucien = lucien
        self._catalog = catalog

    async def on_item_added(self, event: ItemAdded) -> None:
        """Tell the fan what Diana put in their mochila, with her note and how many they hold now."""
        if event.reason != ADMIN_GRANT:
            return
        name = self._catalog.name_of(event.item_id)
        if event.note:
            await self._lucien.say(
                event.user_id,
                GRANT_RECEIVED_WITH_NOTE,
                objeto=name,
                cantidad=event.quantity,
                total=event.quantity_after,
                nota=event.note,
            )
        else:
            await self._lucien.say(
                event.user_id,
                GRANT_RECEIVED,
                objeto=name,
                cantidad=event.quantity,
                total=event.quantity_after,
            )
