"""The items catalog: item and recipe rules, the catalog's consistency checks, lookups."""

import pytest
from pydantic import ValidationError

from yabot_core.inventory import (
    CatalogSection,
    InvalidCatalogError,
    ItemCatalog,
    ItemDefinition,
    ItemKind,
    Recipe,
    UnknownItemError,
    check_catalog,
)


def item(item_id: str, *, stackable: bool = False, kind: ItemKind = ItemKind.ITEM) -> ItemDefinition:
    return ItemDefinition(
        id=item_id, name=item_id.title(), description="Algo.", kind=kind, stackable=stackable
    )


def recipe(first: str, second: str, result: str) -> Recipe:
    return Recipe(ingredients=(first, second), result=result)


def messages(error: ValidationError) -> list[str]:
    return [e["msg"] for e in error.errors()]


class TestItemDefinition:
    def test_the_creators_spanish_keys_and_words_are_read(self) -> None:
        """Spanish keys (with or without accents), «objeto»/«pista» and sí/no map to the model's fields."""
        parsed = ItemDefinition.model_validate(
            {
                "id": "rosa-roja",
                "nombre": "Rosa roja",
                "descripción": "Del jardín.",
                "tipo": "Pista",
                "apilable": "sí",
                "solo_vip": "no",
                "cantidad_máxima": 3,
            }
        )
        assert parsed == ItemDefinition(
            id="rosa-roja",
            name="Rosa roja",
            description="Del jardín.",
            kind=ItemKind.PISTA,
            stackable=True,
            vip_only=False,
            max_quantity=3,
        )
        assert ItemDefinition.model_validate({**parsed.model_dump(), "kind": "objeto"}).kind is ItemKind.ITEM

    def test_defaults_make_a_plain_single_object_for_everyone(self) -> None:
        """Unless told otherwise an item is an «objeto», not stackable, not VIP-only, held one at a time."""
        parsed = ItemDefinition.model_validate({"id": "vela", "nombre": "Vela", "descripcion": "Alumbra."})
        assert (parsed.kind, parsed.stackable, parsed.vip_only, parsed.limit) == (
            ItemKind.ITEM,
            False,
            False,
            1,
        )
        assert item("rosa", stackable=True).limit is None

    @pytest.mark.parametrize(
        ("bad_id", "expected"),
        [
            (
                "Llave Dorada",
                "«Llave Dorada» no sirve como id: use solo letras minúsculas sin tilde, números y guiones"
                " entre"
                " palabras, como «llave-dorada» (¿quiso decir «llave-dorada»?).",
            ),
            ("-llave", "«-llave» no sirve como id"),
            ("llave--dorada", "«llave--dorada» no sirve como id"),
            ("llavé", "(¿quiso decir «llave»?)"),
            ("a" * 65, "el id es demasiado largo: tiene 65 caracteres y el máximo es 64."),
        ],
    )
    def test_an_id_is_a_lowercase_slug_of_at_most_64_characters(self, bad_id: str, expected: str) -> None:
        """Ids are lowercase letters, digits and single hyphens, 64 at most; the error suggests a fix."""
        with pytest.raises(ValidationError) as caught:
            item(bad_id)
        assert expected in messages(caught.value)[0]
        assert item("a" * 64).id == "a" * 64

    def test_an_unknown_kind_is_refused_with_a_suggestion(self) -> None:
        """«tipo» accepts «objeto» or «pista» and suggests the closest for a typo."""
        with pytest.raises(ValidationError) as caught:
            ItemDefinition.model_validate({"id": "x", "nombre": "X", "descripcion": "X", "tipo": "pistas"})
        assert messages(caught.value) == ["«tipo» debe ser «objeto» o «pista» (¿quiso decir «pista»?)."]

    def test_only_a_stackable_item_has_a_maximum_above_one(self) -> None:
        """A non-stackable item is held one at a time, so a larger «cantidad_maxima» is refused."""
        with pytest.raises(ValidationError) as caught:
            ItemDefinition(id="vela", name="Vela", description="Alumbra.", max_quantity=3)
        assert messages(caught.value) == [
            "un objeto que no es apilable se tiene de uno en uno: quite «cantidad_maxima» o ponga «apilable:"
            " sí»."
        ]
        stackable = ItemDefinition(id="vela", name="Vela", description="A.", stackable=True, max_quantity=3)
        assert stackable.limit == 3


class TestRecipe:
    def test_a_recipe_has_exactly_two_ingredients(self) -> None:
        """One or three ingredients are refused."""
        for ingredients in (("a",), ("a", "b", "c")):
            with pytest.raises(ValidationError):
                Recipe(ingredients=ingredients, result="d")

    def test_the_pair_is_the_same_in_either_order(self) -> None:
        """``A + B`` and ``B + A`` share one pair key; the label keeps the written order."""
        assert recipe("b", "a", "c").pair == recipe("a", "b", "c").pair == ("a", "b")
        assert recipe("b", "a", "c").label == "receta «b + a»"
        assert str(recipe("b", "a", "c")) == "b + a → c"


class TestCatalogRules:
    def test_a_whole_catalog_breaks_no_rule(self) -> None:
        """Known ingredients and results, a stackable self-combination: no problems."""
        items = [item("a"), item("b"), item("c", stackable=True), item("d")]
        assert check_catalog(items, [recipe("a", "b", "d"), recipe("c", "c", "d")]) == ()

    def test_unknown_ingredients_and_results_are_named_with_a_suggestion(self) -> None:
        """A recipe naming an id the catalog lacks is a problem at that ingredient or result."""
        problems = check_catalog(
            [item("llave-dorada"), item("cofre")], [recipe("llave-dorda", "cofre", "diario")]
        )
        assert [(p.section, p.index, p.loc, p.unknown_ids) for p in problems] == [
            (CatalogSection.RECIPES, 0, ("ingredientes", 0), ("llave-dorda",)),
            (CatalogSection.RECIPES, 0, ("resultado",), ("diario",)),
        ]
        assert str(problems[0]) == (
            "receta «llave-dorda + cofre»: el ingrediente «llave-dorda» no está en el catálogo"
            " (¿quiso decir «llave-dorada»?)."
        )
        assert problems[1].message == "el resultado «diario» no está en el catálogo."

    def test_a_repeated_unknown_ingredient_is_reported_once(self) -> None:
        """``x + x`` with an unknown ``x`` is one problem, not two."""
        problems = check_catalog([item("d")], [recipe("x", "x", "d")])
        assert [p.loc for p in problems] == [("ingredientes", 0)]

    def test_only_a_stackable_item_combines_with_itself(self) -> None:
        """Nobody can hold two of a non-stackable item, so ``a + a`` needs ``a`` stackable."""
        problems = check_catalog([item("a"), item("b")], [recipe("a", "a", "b")])
        assert [(p.index, p.loc, p.message) for p in problems] == [
            (
                0,
                ("ingredientes",),
                "«a» se combina consigo mismo, pero no es apilable: nadie puede tener dos."
                " Ponga «apilable: sí» en ese objeto o cambie la receta.",
            )
        ]

    def test_one_pair_gives_one_result(self) -> None:
        """Two recipes with the same pair (in any order) are a problem, whether the results differ or not."""
        items = [item("a"), item("b"), item("c"), item("d")]
        problems = check_catalog(items, [recipe("a", "b", "c"), recipe("b", "a", "d"), recipe("a", "b", "c")])
        assert [(p.index, p.message) for p in problems] == [
            (1, "«b» y «a» ya dan «c» en la receta n.º 1; una misma pareja solo puede dar un resultado."),
            (2, "repite la receta n.º 1; deje solo una."),
        ]

    def test_ids_are_unique(self) -> None:
        """A second item with an id already used is a problem at its ``id``."""
        problems = check_catalog([item("a"), item("b"), item("a")], [])
        assert [(p.section, p.index, p.loc, str(p)) for p in problems] == [
            (
                CatalogSection.ITEMS,
                2,
                ("id",),
                "objeto «a»: el id «a» ya lo usa el objeto n.º 1 de la lista; cada id debe ser único.",
            )
        ]

    def test_building_a_broken_catalog_raises_every_problem(self) -> None:
        """``ItemCatalog`` refuses a broken catalog with all its problems, in Spanish, with a stable code."""
        with pytest.raises(InvalidCatalogError) as caught:
            ItemCatalog((item("a"), item("a")), (recipe("a", "z", "y"),))
        assert len(caught.value.problems) == 3
        assert caught.value.code == "catalogo_invalido"
        assert caught.value.message.startswith("El catálogo de objetos no es coherente:\n  objeto «a»: ")


class TestLookups:
    @pytest.fixture(name="catalog")
    def catalog_fixture(self) -> ItemCatalog:
        items = (item("a"), item("b"), item("c", stackable=True), item("d"))
        return ItemCatalog(items, (recipe("a", "b", "d"), recipe("c", "c", "a"), recipe("c", "a", "b")))

    def test_items_are_found_by_id(self, catalog: ItemCatalog) -> None:
        """``get`` answers None for an unknown id; ``item`` raises the Spanish not-found error."""
        assert catalog.get("b") == item("b")
        assert catalog.get("zz") is None
        assert "c" in catalog
        assert "zz" not in catalog
        assert len(catalog) == 4
        with pytest.raises(UnknownItemError) as caught:
            catalog.item("zz")
        assert (caught.value.code, caught.value.message) == (
            "objeto_desconocido",
            "No existe ningún objeto con el id «zz».",
        )

    def test_an_unknown_id_is_refused_with_the_id_probably_meant(self) -> None:
        """``item`` suggests the id as a slug, or the closest id; ``name_of`` falls back to the id."""
        catalog = ItemCatalog((item("llave-dorada"), item("rosa-roja")))
        for typed, hint in (("Llave Dorada", "llave-dorada"), ("rosa-roj", "rosa-roja"), ("zz", None)):
            with pytest.raises(UnknownItemError) as caught:
                catalog.item(typed)
            suggestion = f" (¿quiso decir «{hint}»?)" if hint else ""
            assert caught.value.message == f"No existe ningún objeto con el id «{typed}»{suggestion}."
        assert (catalog.name_of("rosa-roja"), catalog.name_of("ya-no-esta")) == ("Rosa-Roja", "ya-no-esta")

    def test_a_recipe_is_found_with_its_ingredients_in_either_order(self, catalog: ItemCatalog) -> None:
        """``recipe_for(a, b)`` and ``recipe_for(b, a)`` find the same recipe; another pair finds none."""
        assert catalog.recipe_for("a", "b") == catalog.recipe_for("b", "a") == recipe("a", "b", "d")
        assert catalog.recipe_for("c", "c") == recipe("c", "c", "a")
        assert catalog.recipe_for("a", "a") is None
        assert catalog.recipe_for("a", "zz") is None

    def test_recipes_with_lists_the_recipes_using_an_item_once_each(self, catalog: ItemCatalog) -> None:
        """An item's recipes come in catalog order; a self-combination is listed once."""
        assert catalog.recipes_with("a") == (recipe("a", "b", "d"), recipe("c", "a", "b"))
        assert catalog.recipes_with("c") == (recipe("c", "c", "a"), recipe("c", "a", "b"))
        assert catalog.recipes_with("d") == ()
        assert catalog.recipes_with("zz") == ()

    def test_catalogs_with_the_same_entries_are_equal(self, catalog: ItemCatalog) -> None:
        """Equality compares items and recipes, not the lookup tables."""
        assert catalog == ItemCatalog(catalog.items, catalog.recipes)
        assert catalog != ItemCatalog(catalog.items, catalog.recipes[:1])
