"""A small items catalog the inventory suites share: every rule of the mochila has an item to meet it on."""

from typing import Final

from yabot_core.inventory import ItemCatalog, ItemDefinition, ItemId, Recipe

LEFT: Final = ItemId("carta-izquierda")
RIGHT: Final = ItemId("carta-derecha")
LETTER: Final = ItemId("carta-entera")
"""``LEFT + RIGHT → LETTER``; pistas, none stackable."""
ROSE: Final = ItemId("rosa")
"""Stackable up to 5; ``ROSE + ROSE → BOUQUET``."""
BOUQUET: Final = ItemId("ramo")
"""Stackable without limit."""
KEY: Final = ItemId("llave")
CHEST: Final = ItemId("cofre")
DIARY: Final = ItemId("diario")
"""``KEY + CHEST → DIARY``; VIP only (flagged, not enforced)."""
LONGEST: Final = ItemId("x" * 30 + "-" + "y" * 33)
"""A 64-character id, the longest the catalog accepts."""

ROSE_LIMIT: Final = 5


def _item(item_id: str, name: str, **extra: object) -> ItemDefinition:
    return ItemDefinition.model_validate(
        {"id": item_id, "nombre": name, "descripcion": f"Descripción de {name}.", **extra}
    )


def small_catalog() -> ItemCatalog:
    """The catalog: three recipes, a stackable item with a limit, one without, plain items and pistas."""
    return ItemCatalog(
        items=(
            _item(LEFT, "Media carta (izquierda)", tipo="pista"),
            _item(RIGHT, "Media carta (derecha)", tipo="pista"),
            _item(LETTER, "La carta entera", tipo="pista"),
            _item(ROSE, "Rosa", apilable=True, cantidad_maxima=ROSE_LIMIT),
            _item(BOUQUET, "Ramo", apilable=True),
            _item(KEY, "Llave"),
            _item(CHEST, "Cofre"),
            _item(DIARY, "Diario", tipo="pista", solo_vip=True),
            _item(LONGEST, "El objeto del id más largo"),
        ),
        recipes=(
            Recipe.model_validate({"ingredientes": [LEFT, RIGHT], "resultado": LETTER}),
            Recipe.model_validate({"ingredientes": [ROSE, ROSE], "resultado": BOUQUET}),
            Recipe.model_validate({"ingredientes": [KEY, CHEST], "resultado": DIARY}),
        ),
    )
