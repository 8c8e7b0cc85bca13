"""The items catalog from YAML: the shipped file merged with the creator's ``content/objetos.yaml``."""

import io
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from yabot_adapters.content.loading import load_merged
from yabot_adapters.content.merging import Entry, MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.inventory import (
    CatalogSection,
    ItemCatalog,
    ItemDefinition,
    Recipe,
    check_catalog,
    item_label,
    pair_key,
    recipe_label,
)

ITEMS_FILE: Final = "objetos.yaml"
"""The creator's items file, inside her content folder."""

_OTHER_SPELLING: Final = "objetos.yml"


def _item_key(raw: Mapping[str, Any]) -> Hashable | None:
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _item_label(raw: Mapping[str, Any]) -> str | None:
    key = _item_key(raw)
    return None if key is None else item_label(str(key))


def _ingredients(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    value = raw.get("ingredientes")
    if isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value):  # noqa: PLR2004  # a recipe has two ingredients
        return value[0].strip(), value[1].strip()
    return None


def _recipe_key(raw: Mapping[str, Any]) -> Hashable | None:
    found = _ingredients(raw)
    return None if found is None else pair_key(*found)


def _recipe_label(raw: Mapping[str, Any]) -> str | None:
    found = _ingredients(raw)
    return None if found is None else recipe_label(*found)


ITEM_SECTIONS: Final = (
    Section(
        name=CatalogSection.ITEMS.value,
        noun="objeto",
        feminine=False,
        key_fields=("id",),
        key=_item_key,
        label=_item_label,
    ),
    Section(
        name=CatalogSection.RECIPES.value,
        noun="receta",
        feminine=True,
        key_fields=("ingredientes",),
        key=_recipe_key,
        label=_recipe_label,
    ),
)
"""The sections of an items file and how their entries are keyed (an item by id, a recipe by its pair)."""


def load_item_catalog(shipped: Path, creator_dir: Path | None) -> ItemCatalog:
    """Load the shipped catalog, apply the creator's ``objetos.yaml`` over it if she has one, check it all.

    ``creator_dir`` is her content folder (``YABOT_DATA_DIR/content``); ``None`` or a missing folder means no
    overrides. Messages show her files relative to the data dir (``content/objetos.yaml``).

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    return load_merged(
        shipped,
        creator_dir,
        names=(ITEMS_FILE, _OTHER_SPELLING),
        kind="objetos",
        sections=ITEM_SECTIONS,
        check=_checked_catalog,
    )


def _checked_catalog(merged: MergedContent, problems: list[ContentProblem]) -> ItemCatalog | None:
    """Validate every entry, then the catalog's own rules; ``None`` (and problems) when anything is wrong.

    A recipe that names an item whose entry is itself invalid is not reported again: that item's own
    problems say what to fix.
    """
    items: list[tuple[ItemDefinition, Entry]] = []
    recipes: list[tuple[Recipe, Entry]] = []
    invalid: set[Hashable] = set()
    for entry in merged.section(CatalogSection.ITEMS.value):
        item, found = entry.validate(ItemDefinition)
        problems.extend(found)
        if item is None:
            invalid.add(entry.key)
        else:
            items.append((item, entry))
    for entry in merged.section(CatalogSection.RECIPES.value):
        recipe, found = entry.validate(Recipe)
        problems.extend(found)
        if recipe is not None:
            recipes.append((recipe, entry))
    entries = {CatalogSection.ITEMS: [e for _, e in items], CatalogSection.RECIPES: [e for _, e in recipes]}
    for problem in check_catalog([item for item, _ in items], [recipe for recipe, _ in recipes]):
        if problem.unknown_ids and invalid.issuperset(problem.unknown_ids):
            continue
        message = problem.message + _removed_hint(merged, problem.unknown_ids)
        problems.append(entries[problem.section][problem.index].problem(message, loc=problem.loc))
    if problems:
        return None
    return ItemCatalog(tuple(item for item, _ in items), tuple(recipe for recipe, _ in recipes))


def _removed_hint(merged: MergedContent, unknown: tuple[str, ...]) -> str:
    """Tell the creator that the missing item is one she removed, and where."""
    for item_id in unknown:
        removal = merged.removals.get((CatalogSection.ITEMS.value, item_id))
        if removal is not None:
            return f" Usted quitó «{item_id}» en {removal.where}: quite también esta receta."
    return ""


def dump_item_catalog(catalog: ItemCatalog) -> str:
    """Write the catalog in the creator's format; ``load_item_catalog`` reads it back as the same catalog."""
    items = CommentedSeq()
    for item in catalog.items:
        entry = CommentedMap(
            id=item.id, nombre=_text(item.name), descripcion=_text(item.description), tipo=item.kind.word
        )
        if item.stackable:
            entry["apilable"] = "sí"
        if item.vip_only:
            entry["solo_vip"] = "sí"
        if item.max_quantity is not None:
            entry["cantidad_maxima"] = item.max_quantity
        if item.price is not None:
            entry["precio"] = item.price
        if item.stock is not None:
            entry["existencias"] = item.stock
        if item.purchase_limit is not None:
            entry["limite_por_fan"] = item.purchase_limit
        items.append(entry)
    recipes = CommentedSeq()
    for recipe in catalog.recipes:
        pair = CommentedSeq(recipe.ingredients)
        pair.fa.set_flow_style()
        recipes.append(CommentedMap(ingredientes=pair, resultado=recipe.result))
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    stream = io.StringIO()
    yaml.dump(CommentedMap(objetos=items, recetas=recipes), stream)
    return stream.getvalue()


def _text(value: str) -> str:
    """``value``, double-quoted when ruamel's own choice of style would not read back the same.

    ruamel writes U+0085 (NEL) raw inside single quotes and reads it back as a line break.
    """
    return DoubleQuotedScalarString(value) if "\x85" in value else value
