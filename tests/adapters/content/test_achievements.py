"""The logros from YAML: the shipped file, the creator's overrides, every problem at once, in Spanish."""

import textwrap
from pathlib import Path

import pytest

import yabot_app.modules  # noqa: F401  (declares every module's events, as at start-up)
from yabot_adapters.content import ContentError, load_item_catalog
from yabot_adapters.content.achievements import load_achievement_catalog
from yabot_app.content import SHIPPED_ITEMS
from yabot_app.modules.achievements import SHIPPED_ACHIEVEMENTS
from yabot_core.inventory import ItemCatalog


@pytest.fixture(name="items")
def items_fixture() -> ItemCatalog:
    return load_item_catalog(SHIPPED_ITEMS, None)


def creator(content: Path, text: str) -> None:
    content.mkdir(parents=True, exist_ok=True)
    (content / "logros.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_shipped_logros_load_and_count_events_that_exist(items: ItemCatalog) -> None:
    """The repository's logros load clean; they count events YABOT publishes today."""
    catalog = load_achievement_catalog(SHIPPED_ACHIEVEMENTS, None, items)
    assert catalog.event_types() == (
        "daily_gift.claimed",
        "missions.completed",
        "reactions.detected",
        "store.item_purchased",
        "story.narrative_completed",
    )


def test_the_creator_adds_a_logro_over_any_registered_event(tmp_path: Path, items: ItemCatalog) -> None:
    """Her logro over another module's event, with a filter and accents, is added; a shipped one removed."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        logros:
          - id: primera-reaccion
            quitar: sí
          - id: cinco-rosas
            título: Jardinero
            descripción: Reciba cinco rosas.
            regla:
              evento: inventory.item_added
              cantidad: 5
              filtro: {item_id: rosa-roja}
        """,
    )
    catalog = load_achievement_catalog(SHIPPED_ACHIEVEMENTS, content, items)
    assert catalog.get("primera-reaccion") is None
    added = catalog.get("cinco-rosas")
    assert added is not None
    assert (added.rule.event, added.rule.count, added.reward.besitos) == ("inventory.item_added", 5, 0)


def test_every_problem_is_told_with_its_file_and_line(tmp_path: Path, items: ItemCatalog) -> None:
    """An event no module declares, a field it lacks, a field that is no number, an unknown item, a twin."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        logros:
          - id: compra
            titulo: Primera compra
            descripcion: Compre algo.
            regla: {evento: store.item_purchasd}
          - id: racha
            titulo: Racha
            descripcion: Racha.
            regla: {evento: daily_gift.claimed, campo: day, cantidad: 7}
            recompensa: {objeto: rosa-rojo}
          - id: filtro
            titulo: Filtro
            descripcion: Filtro.
            regla:
              evento: reactions.detected
              filtro: {emoticono: "💋"}
        """,
    )
    with pytest.raises(ContentError) as caught:
        load_achievement_catalog(SHIPPED_ACHIEVEMENTS, content, items)
    found = [str(problem) for problem in caught.value.problems]
    assert found[0].startswith(
        "content/logros.yaml, línea 5 (logro «compra»): no hay eventos «store.item_purchasd»"
    )
    assert found[1:] == [
        "content/logros.yaml, línea 9 (logro «racha»): el campo «day» no es un número entero.",
        "content/logros.yaml, línea 10 (logro «racha»): el objeto «rosa-rojo» no está en el catálogo"
        " (¿quiso decir «rosa-roja»?).",
        "content/logros.yaml, línea 16 (logro «filtro»): los eventos «reactions.detected» no tienen el campo"
        " «emoticono»; sus campos son «chat_id», «message_id», «emoji», «source», «besitos», «item_id»,"
        " «quantity».",
    ]
