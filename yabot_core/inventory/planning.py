"""What an operation does to a mochila, decided against the catalog before anything is written.

The service reads the lines, asks the planner for each item's change and for the checks, then writes: a
refused operation has written nothing.
"""

from yabot_core.inventory.catalog import ItemCatalog
from yabot_core.inventory.errors import (
    ItemNotStackableError,
    MaxQuantityError,
    NoRecipeError,
    NotEnoughItemsError,
)
from yabot_core.inventory.fields import MAX_QUANTITY, ItemId
from yabot_core.inventory.models import HeldItem, OperationKind
from yabot_core.inventory.validation import Request


class Planner:
    """The catalog's rules for one operation: which items move, by how much, and whether they may."""

    def __init__(self, catalog: ItemCatalog) -> None:
        self.catalog = catalog

    def deltas(self, request: Request) -> tuple[dict[ItemId, int], ItemId | None]:
        """Each item's signed change (in the order they are named) and a combination's result.

        Raises:
            UnknownItemError: an item to add, use or combine is not in the catalog.
            NoRecipeError: no recipe combines the two items.
        """
        item = request.items[0]
        if request.kind is OperationKind.ADD:
            self.catalog.item(item)
            return {item: request.quantity}, None
        if request.kind is OperationKind.REMOVE:
            return {item: -request.quantity}, None
        if request.kind is OperationKind.USE:
            self.catalog.item(item)
            return {item: -1}, None
        first, second = request.items
        first_item, second_item = self.catalog.item(first), self.catalog.item(second)
        recipe = self.catalog.recipe_for(first, second)
        if recipe is None:
            raise NoRecipeError(
                first=first, second=second, first_name=first_item.name, second_name=second_item.name
            )
        deltas: dict[ItemId, int] = {}
        for ingredient in (first, second):
            deltas[ingredient] = deltas.get(ingredient, 0) - 1
        deltas[recipe.result] = deltas.get(recipe.result, 0) + 1
        return deltas, recipe.result

    def check(self, item_id: ItemId, held: int, delta: int) -> None:
        """Refuse a change that would take a line below 0 or past what the item allows.

        Raises:
            NotEnoughItemsError: fewer held than taken out.
            UnknownItemError: taking out an item neither the catalog nor the mochila knows.
            ItemNotStackableError, MaxQuantityError: more than the item allows in one mochila.
        """
        after = held + delta
        if after < 0:
            if held == 0 and item_id not in self.catalog:
                raise self.catalog.unknown(item_id)
            raise NotEnoughItemsError(
                item_id=item_id, name=self.catalog.name_of(item_id), held=held, needed=-delta
            )
        if delta < 0:
            return
        definition = self.catalog.item(item_id)
        if definition.limit == 1 and after > 1:
            raise ItemNotStackableError(item_id=item_id, name=definition.name, held=held)
        limit = min(definition.limit or MAX_QUANTITY, MAX_QUANTITY)
        if after > limit:
            raise MaxQuantityError(item_id=item_id, name=definition.name, held=held, limit=limit)

    def held(self, item_id: ItemId, quantity: int) -> HeldItem:
        """The item as the fan sees it, held ``quantity`` times."""
        return HeldItem(item_id=item_id, quantity=quantity, definition=self.catalog.get(item_id))
