"""Inventory (the mochila): the items catalog, what each fan holds, and add / remove / use / combine.

Public API: other code imports from here only.
"""

from yabot_core.inventory.catalog import (
    CatalogProblem,
    CatalogSection,
    ItemCatalog,
    ItemDefinition,
    Recipe,
    check_catalog,
    item_label,
    pair_key,
    recipe_label,
)
from yabot_core.inventory.errors import (
    InvalidCatalogError,
    InvalidQuantityError,
    ItemNotStackableError,
    MaxQuantityError,
    NoRecipeError,
    NotEnoughItemsError,
    UnknownItemError,
)
from yabot_core.inventory.events import InventoryEvent, ItemAdded, ItemRemoved, ItemsCombined, ItemUsed
from yabot_core.inventory.fields import (
    MAX_DESCRIPTION_LENGTH,
    MAX_ITEM_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_QUANTITY,
    ItemId,
    ItemIdField,
    ItemKind,
    YesNo,
)
from yabot_core.inventory.grants import ItemGrant, ItemGrants, ItemGrantUnitOfWork
from yabot_core.inventory.manifest import MANIFEST
from yabot_core.inventory.models import (
    ADMIN_GRANT,
    ADMIN_REMOVAL,
    COMBINED,
    USED,
    CombinationOption,
    HeldItem,
    InventoryLine,
    InventoryOperation,
    InventoryPage,
    InventoryView,
    ItemChange,
    OperationKind,
)
from yabot_core.inventory.notices import GRANT_RECEIVED, GRANT_RECEIVED_WITH_NOTE, ItemNotices
from yabot_core.inventory.ports import (
    InventoryQueries,
    InventoryRepository,
    InventoryStorage,
    InventoryUnitOfWork,
)
from yabot_core.inventory.service import MAX_OFFSET, MAX_PAGE_SIZE, Mochila
from yabot_core.kernel import MAX_KEY_LENGTH, MAX_NOTE_LENGTH, slugify

__all__ = [
    "ADMIN_GRANT",
    "ADMIN_REMOVAL",
    "COMBINED",
    "GRANT_RECEIVED",
    "GRANT_RECEIVED_WITH_NOTE",
    "MANIFEST",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_ITEM_ID_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "MAX_QUANTITY",
    "USED",
    "CatalogProblem",
    "CatalogSection",
    "CombinationOption",
    "HeldItem",
    "InvalidCatalogError",
    "InvalidQuantityError",
    "InventoryEvent",
    "InventoryLine",
    "InventoryOperation",
    "InventoryPage",
    "InventoryQueries",
    "InventoryRepository",
    "InventoryStorage",
    "InventoryUnitOfWork",
    "InventoryView",
    "ItemAdded",
    "ItemCatalog",
    "ItemChange",
    "ItemDefinition",
    "ItemGrant",
    "ItemGrantUnitOfWork",
    "ItemGrants",
    "ItemId",
    "ItemIdField",
    "ItemKind",
    "ItemNotStackableError",
    "ItemNotices",
    "ItemRemoved",
    "ItemUsed",
    "ItemsCombined",
    "MaxQuantityError",
    "Mochila",
    "NoRecipeError",
    "NotEnoughItemsError",
    "OperationKind",
    "Recipe",
    "UnknownItemError",
    "YesNo",
    "check_catalog",
    "item_label",
    "pair_key",
    "recipe_label",
    "slugify",
]
