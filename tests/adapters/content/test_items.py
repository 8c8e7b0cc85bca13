"""The items catalog from YAML: the shipped file, the creator's overrides, every problem at once."""

import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yabot_adapters.content import ContentError, dump_item_catalog, load_item_catalog
from yabot_app.content import SHIPPED_ITEMS
from yabot_core.inventory import ItemCatalog, ItemDefinition, ItemKind, Recipe
from yabot_core.kernel import YabotError

SHIPPED = """\
objetos:
  - id: llave-dorada
    nombre: Llave dorada
    descripcion: Abre algo.
  - id: cofre
    nombre: Cofre
    descripcion: Está cerrado.
  - id: diario
    nombre: Diario
    descripcion: Lo que había en el cofre.
    tipo: pista
recetas:
  - ingredientes: [llave-dorada, cofre]
    resultado: diario
"""


@pytest.fixture(name="shipped")
def shipped_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "shipped" / "items.yaml"
    path.parent.mkdir()
    path.write_text(SHIPPED, encoding="utf-8")
    return path


@pytest.fixture(name="content")
def content_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "content"
    folder.mkdir(parents=True)
    return folder


def creator(content: Path, text: str, name: str = "objetos.yaml") -> None:
    (content / name).write_text(textwrap.dedent(text), encoding="utf-8")


def problems(shipped: Path, content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_item_catalog(shipped, content)
    return [str(problem) for problem in caught.value.problems]


class TestShipped:
    def test_the_shipped_catalog_loads_clean(self) -> None:
        """The catalog in the repository is whole: pistas that combine, a key, a rose, a VIP-only item."""
        catalog = load_item_catalog(SHIPPED_ITEMS, None)
        letter = catalog.recipe_for("carta-rota-derecha", "carta-rota-izquierda")
        assert letter is not None
        assert catalog.item(letter.result).kind is ItemKind.PISTA
        assert catalog.item("llave-dorada").kind is ItemKind.ITEM
        assert catalog.item("rosa-roja").stackable
        assert any(item.vip_only for item in catalog.items)

    def test_without_creator_files_the_shipped_catalog_is_used(self, shipped: Path, content: Path) -> None:
        """No content folder, or one without ``objetos.yaml``, means no overrides."""
        alone = load_item_catalog(shipped, None)
        assert load_item_catalog(shipped, content) == alone
        assert load_item_catalog(shipped, content / "no-existe") == alone
        assert [item.id for item in alone.items] == ["llave-dorada", "cofre", "diario"]


class TestOverrides:
    def test_the_creator_replaces_adds_and_removes(self, shipped: Path, content: Path) -> None:
        """Her entry with a shipped id replaces it, new ids are added, ``quitar: sí`` removes."""
        creator(
            content,
            """\
            objetos:
              - id: cofre
                nombre: Cofre de Lucien
                descripción: Detrás de la mermelada.
              - id: rosa
                nombre: Rosa
                descripcion: Del jardín.
                apilable: sí
              - id: diario
                quitar: sí
              - id: carta
                nombre: Carta
                descripcion: Completa.
                tipo: pista
            recetas:
              - ingredientes: [cofre, llave-dorada]
                resultado: carta
              - ingredientes: [rosa, rosa]
                resultado: carta
            """,
        )
        catalog = load_item_catalog(shipped, content)
        assert [item.id for item in catalog.items] == ["llave-dorada", "cofre", "rosa", "carta"]
        assert catalog.item("cofre").name == "Cofre de Lucien"
        assert catalog.recipe_for("llave-dorada", "cofre") == Recipe(
            ingredients=("cofre", "llave-dorada"), result="carta"
        )
        assert len(catalog.recipes) == 2

    def test_the_yml_spelling_is_read_too(self, shipped: Path, content: Path) -> None:
        """``objetos.yml`` works like ``objetos.yaml``."""
        creator(
            content,
            "objetos:\n  - id: diario\n    quitar: sí\nrecetas:\n  - ingredientes: [cofre, llave-dorada]\n  "
            "  quitar: sí\n",
            "objetos.yml",
        )
        assert "diario" not in load_item_catalog(shipped, content)

    def test_both_spellings_at_once_are_a_problem(self, shipped: Path, content: Path) -> None:
        """Two items files would make one silently ignored."""
        creator(content, "objetos: []\n")
        creator(content, "objetos: []\n", "objetos.yml")
        assert problems(shipped, content) == [
            "content/objetos.yml: hay dos archivos de objetos, «objetos.yaml» y «objetos.yml»; deje solo"
            " «objetos.yaml»."
        ]

    def test_removing_an_item_a_shipped_recipe_uses_says_so(self, shipped: Path, content: Path) -> None:
        """The recipe left without an ingredient is reported with where she removed it and what to do."""
        creator(content, "objetos:\n  - id: cofre\n    quitar: sí\n")
        assert problems(shipped, content) == [
            f"{shipped}, línea 13 (receta «llave-dorada + cofre»): el ingrediente «cofre» no está en el"
            " catálogo."
            " Usted quitó «cofre» en content/objetos.yaml, línea 2: quite también esta receta."
        ]


class TestProblems:
    def test_every_problem_in_the_creators_file_is_reported_at_once(
        self, shipped: Path, content: Path
    ) -> None:
        """Each kind of mistake is one Spanish line with file, line and entry; all come at once, in order."""
        creator(
            content,
            """\
            objetos:
              - id: llave-dorada
                nombre: Llave de plata
                descripcion: Ahora es de plata.
                apilable: quizá
              - id: Rosa Negra
                nombre: Rosa negra
                descripcion: Oscura.
                tipo: pistas
                color: rojo
              - id: vela
                nombre: Vela
                descripcion: Una vela.
              - id: vela
                nombre: Vela
                descripcion: Otra vez.
              - id: espejo
                nombre: Espejo
              - id: caja
                nombre: Caja
                descripcion: Pequeña.
            recetas:
              - ingredientes: [vela, vela]
                resultado: caja
              - ingredientes: [caja, vela]
                resultado: diaro
              - ingredientes: [caja, cofre, vela]
                resultado: caja
              - ingredientes: [cofre, caja]
                resultado: vela
              - ingredientes: [caja, cofre]
                resultado: diario
            recetass: []
            """,
        )
        file = "content/objetos.yaml"
        assert problems(shipped, content) == [
            f"{file}, línea 5 (objeto «llave-dorada»): «apilable» debe ser verdadero o falso (sí o no).",
            f"{file}, línea 6 (objeto «Rosa Negra»): «Rosa Negra» no sirve como id: use solo letras"
            " minúsculas"
            " sin tilde, números y guiones entre palabras, como «llave-dorada» (¿quiso decir «rosa-negra»?).",
            f"{file}, línea 9 (objeto «Rosa Negra»): «tipo» debe ser «objeto» o «pista» (¿quiso decir"
            " «pista»?).",
            f"{file}, línea 10 (objeto «Rosa Negra»): campo desconocido «color»; aquí se admiten «id»,"
            " «nombre», «descripcion», «tipo», «apilable», «solo_vip», «cantidad_maxima», «precio»,"
            " «existencias» y «limite_por_fan».",
            f"{file}, línea 14 (objeto «vela»): el objeto ya aparece en la línea 11 de este archivo; deje"
            " solo"
            " uno.",
            f"{file}, línea 17 (objeto «espejo»): falta el campo «descripcion».",
            f"{file}, línea 23 (receta «vela + vela»): «vela» se combina consigo mismo, pero no es apilable:"
            " nadie puede tener dos. Ponga «apilable: sí» en ese objeto o cambie la receta.",
            f"{file}, línea 26 (receta «caja + vela»): el resultado «diaro» no está en el catálogo (¿quiso"
            " decir"
            " «diario»?).",
            f"{file}, línea 27 (receta n.º 3): «ingredientes» debe tener exactamente 2 elementos (tiene 3).",
            f"{file}, línea 31 (receta «caja + cofre»): la receta ya aparece en la línea 29 de este archivo;"
            " deje solo una.",
            f"{file}, línea 33: campo desconocido «recetass» (¿quiso decir «recetas»?).",
        ]

    def test_a_recipe_naming_an_invalid_item_is_not_reported_twice(
        self, shipped: Path, content: Path
    ) -> None:
        """The item's own problem says what to fix; the recipe using it stays quiet."""
        creator(
            content,
            "objetos:\n  - id: vela\n    nombre: Vela\nrecetas:\n  - ingredientes: [vela, cofre]\n   "
            " resultado: vela\n",
        )
        assert problems(shipped, content) == [
            "content/objetos.yaml, línea 2 (objeto «vela»): falta el campo «descripcion»."
        ]

    def test_problems_in_every_file_are_reported_together(self, shipped: Path, content: Path) -> None:
        """A broken shipped file and a broken creator file both appear, shipped first."""
        shipped.write_text(SHIPPED + "  - ingredientes: [cofre]\n    resultado: diario\n", encoding="utf-8")
        creator(content, "objetos:\n\t- id: x\n")
        assert problems(shipped, content) == [
            f"{shipped}, línea 15 (receta n.º 2): «ingredientes» debe tener exactamente 2 elementos (tiene"
            " 1).",
            "content/objetos.yaml, línea 2: hay un tabulador: la sangría se hace solo con espacios.",
        ]

    def test_the_error_reads_as_one_message_for_the_operator(self, shipped: Path, content: Path) -> None:
        """``ContentError`` is a YabotError whose message lists every problem, one per line."""
        creator(content, "objetos:\n  - id: vela\n")
        with pytest.raises(YabotError) as caught:
            load_item_catalog(shipped, content)
        assert caught.value.code == "contenido_invalido"
        assert caught.value.message == (
            "El contenido tiene 2 problemas; corríjalos y vuelva a arrancar:\n"
            "  content/objetos.yaml, línea 2 (objeto «vela»): falta el campo «nombre».\n"
            "  content/objetos.yaml, línea 2 (objeto «vela»): falta el campo «descripcion»."
        )


class TestStoreFields:
    def test_the_tienda_fields_are_read_with_their_spanish_names(self, shipped: Path, content: Path) -> None:
        """``precio``, ``existencias`` and ``límite_por_fan`` (with or without its accent) reach the item."""
        creator(
            content,
            """\
            objetos:
              - id: vela
                nombre: Vela
                descripcion: Una vela.
                precio: 12
                existencias: 30
                límite_por_fan: 2
            """,
        )
        vela = load_item_catalog(shipped, content).item("vela")
        assert (vela.price, vela.stock, vela.purchase_limit, vela.for_sale) == (12, 30, 2, True)
        assert not load_item_catalog(shipped, content).item("cofre").for_sale

    def test_bad_tienda_fields_are_named_with_file_and_line(self, shipped: Path, content: Path) -> None:
        """A price below one, units or a limit on an item with no price: each on its own line, in Spanish."""
        creator(
            content,
            """\
            objetos:
              - id: vela
                nombre: Vela
                descripcion: Una vela.
                precio: 0
                existencias: -1
              - id: caja
                nombre: Caja
                descripcion: Pequeña.
                existencias: 3
                limite_por_fan: 1
            """,
        )
        file = "content/objetos.yaml"
        found = problems(shipped, content)
        assert found[0].startswith(f"{file}, línea 5 (objeto «vela»): «precio» debe ser")
        assert found[1].startswith(f"{file}, línea 6 (objeto «vela»): «existencias» debe ser")
        assert found[2:] == [
            f"{file}, línea 10 (objeto «caja»): «existencias» solo tiene sentido en un objeto a la venta:"
            " añada «precio» (en besitos) o quite «existencias».",
            f"{file}, línea 11 (objeto «caja»): «limite_por_fan» solo tiene sentido en un objeto a la venta:"
            " añada «precio» (en besitos) o quite «limite_por_fan».",
        ]


# --- a valid catalog survives being written out and read back --------------------------------------------

_ids = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda text: text == text.strip()
)


@st.composite
def catalogs(draw: st.DrawFn) -> ItemCatalog:
    ids = draw(st.lists(_ids, min_size=1, max_size=6, unique=True))
    items = []
    for item_id in ids:
        stackable = draw(st.booleans())
        price = draw(st.none() | st.integers(1, 1000))
        items.append(
            ItemDefinition(
                id=item_id,
                name=draw(_text),
                description=draw(st.lists(_text, min_size=1, max_size=3).map("\n".join)),
                kind=draw(st.sampled_from(ItemKind)),
                stackable=stackable,
                vip_only=draw(st.booleans()),
                max_quantity=draw(st.none() | st.integers(1, 99)) if stackable else None,
                price=price,
                stock=draw(st.none() | st.integers(0, 500)) if price else None,
                purchase_limit=draw(st.none() | st.integers(1, 9)) if price else None,
            )
        )
    stackable_ids = {item.id for item in items if item.stackable}
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(
        lambda pair: pair[0] != pair[1] or pair[0] in stackable_ids
    )
    chosen = draw(st.lists(pairs, max_size=5, unique_by=frozenset))
    recipes = [Recipe(ingredients=pair, result=draw(st.sampled_from(ids))) for pair in chosen]
    return ItemCatalog(tuple(items), tuple(recipes))


@settings(max_examples=20, deadline=None)
@given(catalogs())
def test_a_valid_catalog_written_as_yaml_loads_back_equal(catalog: ItemCatalog) -> None:
    """What ``dump_item_catalog`` writes loads back as the same catalog, as the shipped file or as hers."""
    with tempfile.TemporaryDirectory() as folder:
        shipped = Path(folder) / "items.yaml"
        shipped.write_text(dump_item_catalog(catalog), encoding="utf-8")
        assert load_item_catalog(shipped, None) == catalog
        content = Path(folder) / "content"
        content.mkdir()
        (content / "objetos.yaml").write_text(dump_item_catalog(catalog), encoding="utf-8")
        shipped.write_text("objetos: []\n", encoding="utf-8")
        assert load_item_catalog(shipped, content) == catalog
