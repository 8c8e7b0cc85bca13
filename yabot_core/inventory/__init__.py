"""Inventory (the mochila): the items catalog and its recipes. Public API: other code imports from here."""

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
from yabot_core.inventory.errors import InvalidCatalogError, UnknownItemError
from yabot_core.inventory.fields import (
    MAX_DESCRIPTION_LENGTH,
    MAX_ITEM_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_QUANTITY,
    ItemId,
    ItemIdField,
    ItemKind,
    YesNo,
    did_you_mean,
    slugify,
    unaccented,
)

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "MAX_ITEM_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_QUANTITY",
    "CatalogProblem",
    "CatalogSection",
    "InvalidCatalogError",
    "ItemCatalog",
    "ItemDefinition",
    "ItemId",
    "ItemIdField",
    "ItemKind",
    "Recipe",
    "UnknownItemError",
    "YesNo",
    "check_catalog",
    "did_you_mean",
    "item_label",
    "pair_key",
    "recipe_label",
    "slugify",
    "unaccented",
]
