"""The items catalog: what a mochila can hold, which two things combine into a third, and the rules that hold.

The field aliases are the Spanish keys the creator writes in her content files; code uses the English names.
Every validation message is Spanish and reads on its own, because it reaches the creator word for word.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from yabot_core.inventory.errors import InvalidCatalogError, UnknownItemError
from yabot_core.inventory.fields import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PRICE,
    MAX_QUANTITY,
    MAX_STOCK,
    ItemId,
    ItemIdField,
    ItemKind,
    YesNo,
    kind_from_word,
)
from yabot_core.kernel import CONTENT_MODEL, did_you_mean, slugify, unaccented_keys


def item_label(item_id: str) -> str:
    """How messages name an item entry: ``objeto «llave-dorada»``."""
    return f"objeto «{item_id}»"


def recipe_label(first: str, second: str) -> str:
    """How messages name a recipe entry: ``receta «carta-rota-izquierda + carta-rota-derecha»``."""
    return f"receta «{first} + {second}»"


def pair_key(first: str, second: str) -> tuple[ItemId, ItemId]:
    """The order-free key of two ingredients: ``A + B`` and ``B + A`` are the same recipe."""
    low, high = sorted((first, second))
    return ItemId(low), ItemId(high)


class ItemDefinition(BaseModel):
    """Something a user can hold in the mochila: an object or a pista.

    Not stackable means one at most; stackable means as many as ``max_quantity`` (no limit when unset).
    An item with a ``price`` is for sale in the tienda: ``stock`` units in all (no limit when unset), at most
    ``purchase_limit`` per fan (no limit when unset).
    """

    model_config = CONTENT_MODEL

    id: ItemIdField
    name: str = Field(alias="nombre", min_length=1, max_length=MAX_NAME_LENGTH)
    description: str = Field(alias="descripcion", min_length=1, max_length=MAX_DESCRIPTION_LENGTH)
    kind: Annotated[ItemKind, BeforeValidator(kind_from_word)] = Field(default=ItemKind.ITEM, alias="tipo")
    stackable: YesNo = Field(default=False, alias="apilable")
    vip_only: YesNo = Field(default=False, alias="solo_vip")
    max_quantity: int | None = Field(default=None, alias="cantidad_maxima", ge=1, le=MAX_QUANTITY)
    price: int | None = Field(default=None, alias="precio", ge=1, le=MAX_PRICE)
    stock: int | None = Field(default=None, alias="existencias", ge=0, le=MAX_STOCK)
    purchase_limit: int | None = Field(default=None, alias="limite_por_fan", ge=1, le=MAX_QUANTITY)

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)

    @field_validator("max_quantity")
    @classmethod
    def _only_stackables_hold_many(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value > 1 and info.data.get("stackable") is False:
            raise PydanticCustomError(
                "cantidad_sin_apilar",
                "un objeto que no es apilable se tiene de uno en uno: quite «cantidad_maxima» o ponga"
                " «apilable: sí».",
            )
        return value

    @field_validator("stock", "purchase_limit")
    @classmethod
    def _only_for_sale(cls, value: int | None, info: ValidationInfo) -> int | None:
        # A ``precio`` that failed its own check is absent from ``info.data``: its error says enough.
        if value is not None and "price" in info.data and info.data["price"] is None:
            field = "existencias" if info.field_name == "stock" else "limite_por_fan"
            raise PydanticCustomError(
                "solo_a_la_venta",
                "«{field}» solo tiene sentido en un objeto a la venta: añada «precio» (en besitos) o quite"
                " «{field}».",
                {"field": field},
            )
        return value

    @property
    def label(self) -> str:
        """How messages name this entry."""
        return item_label(self.id)

    @property
    def for_sale(self) -> bool:
        """Whether the tienda sells it (it has a price)."""
        return self.price is not None

    @property
    def limit(self) -> int | None:
        """The most of it one mochila may hold; ``None`` for no limit."""
        return self.max_quantity if self.stackable else 1


class Recipe(BaseModel):
    """Two items that, combined in the mochila, become a third: ``A + B → C``. Ingredient order is free."""

    model_config = CONTENT_MODEL

    ingredients: tuple[ItemIdField, ...] = Field(alias="ingredientes", min_length=2, max_length=2)
    result: ItemIdField = Field(alias="resultado")

    @model_validator(mode="before")
    @classmethod
    def _accept_accents(cls, data: object) -> object:
        return unaccented_keys(data)

    @property
    def pair(self) -> tuple[ItemId, ItemId]:
        """The ingredients in a fixed order, the same for ``A + B`` and ``B + A``."""
        return pair_key(*self.ingredients)

    @property
    def label(self) -> str:
        """How messages name this entry."""
        return recipe_label(*self.ingredients)

    def __str__(self) -> str:
        first, second = self.ingredients
        return f"{first} + {second} → {self.result}"


class CatalogSection(StrEnum):
    """The lists of a catalog; the value is the list's key in the creator's file."""

    ITEMS = "objetos"
    RECIPES = "recetas"


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    """One broken catalog rule, about one entry.

    ``index`` is the entry's position in its section; ``loc`` the path inside the entry (aliases and list
    positions, like pydantic's), so a loader can point at the offending line. ``unknown_ids`` names the ids
    the entry refers to that the catalog lacks.
    """

    section: CatalogSection
    index: int
    subject: str
    message: str
    loc: tuple[str | int, ...] = ()
    unknown_ids: tuple[ItemId, ...] = ()

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def check_catalog(items: Sequence[ItemDefinition], recipes: Sequence[Recipe]) -> tuple[CatalogProblem, ...]:
    """Return every rule the catalog breaks, in entry order; empty when it is whole.

    Rules: ids are unique; recipes use and produce items of the catalog; an item combines with itself only if
    it is stackable (nobody holds two of the others); a pair of ingredients appears in one recipe only.
    """
    problems: list[CatalogProblem] = []
    by_id: dict[ItemId, ItemDefinition] = {}
    position: dict[ItemId, int] = {}
    for index, item in enumerate(items):
        if item.id in by_id:
            message = (
                f"el id «{item.id}» ya lo usa el objeto n.º {position[item.id] + 1} de la lista;"
                " cada id debe ser único."
            )
            problems.append(CatalogProblem(CatalogSection.ITEMS, index, item.label, message, ("id",)))
            continue
        by_id[item.id] = item
        position[item.id] = index
    known = list(by_id)  # the ids a hint may suggest, in catalog order
    pairs: dict[tuple[ItemId, ItemId], tuple[int, Recipe]] = {}
    for index, recipe in enumerate(recipes):
        earlier = pairs.setdefault(recipe.pair, (index, recipe))
        found = _recipe_problems(recipe, by_id, known, None if earlier[1] is recipe else earlier)
        problems.extend(
            CatalogProblem(CatalogSection.RECIPES, index, recipe.label, message, loc, unknown)
            for message, loc, unknown in found
        )
    return tuple(problems)


def _recipe_problems(
    recipe: Recipe,
    by_id: dict[ItemId, ItemDefinition],
    known: Sequence[ItemId],
    earlier: tuple[int, Recipe] | None,
) -> list[tuple[str, tuple[str | int, ...], tuple[ItemId, ...]]]:
    """The rules one recipe breaks, given the catalog's items and ids and an earlier recipe with its pair."""
    found: list[tuple[str, tuple[str | int, ...], tuple[ItemId, ...]]] = []
    first, second = recipe.ingredients
    for place, ingredient in enumerate(recipe.ingredients):
        if ingredient not in by_id and ingredient not in recipe.ingredients[:place]:
            hint = did_you_mean(ingredient, known)
            message = f"el ingrediente «{ingredient}» no está en el catálogo{hint}."
            found.append((message, ("ingredientes", place), (ingredient,)))
    if recipe.result not in by_id:
        hint = did_you_mean(recipe.result, known)
        message = f"el resultado «{recipe.result}» no está en el catálogo{hint}."
        found.append((message, ("resultado",), (recipe.result,)))
    if first == second and first in by_id and not by_id[first].stackable:
        message = (
            f"«{first}» se combina consigo mismo, pero no es apilable: nadie puede tener dos."
            " Ponga «apilable: sí» en ese objeto o cambie la receta."
        )
        found.append((message, ("ingredientes",), ()))
    if earlier is not None:
        other_index, other = earlier
        if other.result == recipe.result:
            message = f"repite la receta n.º {other_index + 1}; deje solo una."
        else:
            message = (
                f"«{first}» y «{second}» ya dan «{other.result}» en la receta n.º {other_index + 1};"
                " una misma pareja solo puede dar un resultado."
            )
        found.append((message, ("ingredientes",), ()))
    return found


@dataclass(frozen=True)
class ItemCatalog:
    """Every item that exists and every recipe that combines them; whole by construction.

    Raises:
        InvalidCatalogError: the items and recipes break a rule of ``check_catalog`` (all problems listed).
    """

    items: tuple[ItemDefinition, ...] = ()
    recipes: tuple[Recipe, ...] = ()
    _by_id: dict[ItemId, ItemDefinition] = field(init=False, repr=False, compare=False)
    _by_pair: dict[tuple[ItemId, ItemId], Recipe] = field(init=False, repr=False, compare=False)
    _by_ingredient: dict[ItemId, tuple[Recipe, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "recipes", tuple(self.recipes))
        problems = check_catalog(self.items, self.recipes)
        if problems:
            raise InvalidCatalogError(problems)
        uses: dict[ItemId, list[Recipe]] = {}
        for recipe in self.recipes:
            for ingredient in dict.fromkeys(recipe.ingredients):
                uses.setdefault(ingredient, []).append(recipe)
        object.__setattr__(self, "_by_id", {item.id: item for item in self.items})
        object.__setattr__(self, "_by_pair", {recipe.pair: recipe for recipe in self.recipes})
        object.__setattr__(self, "_by_ingredient", {key: tuple(found) for key, found in uses.items()})

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> ItemDefinition | None:
        """Return the item with that id, or ``None``."""
        return self._by_id.get(ItemId(item_id))

    def item(self, item_id: str) -> ItemDefinition:
        """Return the item with that id.

        Raises:
            UnknownItemError: no item has that id (see :meth:`unknown`).
        """
        found = self.get(item_id)
        if found is None:
            raise self.unknown(item_id)
        return found

    def name_of(self, item_id: str) -> str:
        """The item's name, or its id for an item the catalog no longer has (a mochila may still hold it)."""
        found = self.get(item_id)
        return found.name if found is not None else item_id

    def unknown(self, item_id: str) -> UnknownItemError:
        """The error for an id the catalog lacks, suggesting the id probably meant."""
        slug = slugify(item_id)
        if slug != item_id and slug in self:
            return UnknownItemError(item_id, f" (¿quiso decir «{slug}»?)")
        return UnknownItemError(item_id, did_you_mean(item_id, [item.id for item in self.items]))

    def recipe_for(self, first: str, second: str) -> Recipe | None:
        """Return the recipe combining the two items, given in either order, or ``None``."""
        return self._by_pair.get(pair_key(first, second))

    def recipes_with(self, item_id: str) -> tuple[Recipe, ...]:
        """Return the recipes that use the item as an ingredient, in catalog order."""
        return self._by_ingredient.get(ItemId(item_id), ())
