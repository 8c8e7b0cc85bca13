"""The missions from YAML: the shipped file, the creator's overrides, every problem at once, in Spanish."""

import textwrap
from pathlib import Path

import pytest

import yabot_app.modules  # noqa: F401  (declares every module's events, as at start-up)
from yabot_adapters.content import ContentError, load_item_catalog, load_mission_catalog
from yabot_app.content import SHIPPED_ITEMS, SHIPPED_MISSIONS
from yabot_core.inventory import ItemCatalog
from yabot_core.missions import MissionKind


@pytest.fixture(name="items")
def items_fixture() -> ItemCatalog:
    return load_item_catalog(SHIPPED_ITEMS, None)


def creator(content: Path, text: str) -> None:
    content.mkdir(parents=True, exist_ok=True)
    (content / "misiones.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_shipped_missions_load_and_count_events_that_exist(items: ItemCatalog) -> None:
    """The repository's missions load clean; they listen to events YABOT publishes today."""
    catalog = load_mission_catalog(SHIPPED_MISSIONS, None, items)
    assert [m.id for m in catalog] == [
        "primer-regalo",
        "constancia-semanal",
        "lector-de-pistas",
        "tres-reacciones",
        "bienvenida-vip",
    ]
    assert catalog.event_types() == (
        "daily_gift.claimed",
        "inventory.item_used",
        "reactions.detected",
        "subscription.started",
        "user.registered",
    )


def test_the_creator_adds_a_mission_with_a_filter_and_removes_one(tmp_path: Path, items: ItemCatalog) -> None:
    """Her daily mission with a filter is added (accents welcome); a shipped one is removed."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        misiones:
          - id: lector-de-pistas
            quitar: sí
          - id: rosa-del-dia
            título: Una rosa al día
            descripción: Reciba una rosa.
            tipo: Diaria
            asignar: manual
            objetivo:
              evento: inventory.item_added
              filtro: {item_id: rosa-roja}
            recompensa: {besitos: 3}
        """,
    )
    catalog = load_mission_catalog(SHIPPED_MISSIONS, content, items)
    assert "lector-de-pistas" not in [m.id for m in catalog]
    added = catalog.mission("rosa-del-dia")
    assert (added.kind, added.assign_on, added.objective.filter) == (
        MissionKind.DAILY,
        None,
        {"item_id": "rosa-roja"},
    )


def test_every_problem_is_told_with_its_file_and_line(tmp_path: Path, items: ItemCatalog) -> None:
    """An unknown event, a field it lacks, an unknown item, an empty reward, a bad assignment: all at once."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        misiones:
          - id: uno
            titulo: Uno
            descripcion: Uno.
            objetivo: {evento: daily_gift.claim}
            recompensa: {besitos: 1}
          - id: dos
            titulo: Dos
            descripcion: Dos.
            asignar: registrar
            objetivo:
              evento: daily_gift.claimed
              filtro: {rachas: 3}
            recompensa: {objeto: rosa-rojo}
          - id: tres
            titulo: Tres
            descripcion: Tres.
            objetivo: {evento: daily_gift.claimed}
            recompensa: {}
        """,
    )
    with pytest.raises(ContentError) as caught:
        load_mission_catalog(SHIPPED_MISSIONS, content, items)
    found = [str(problem) for problem in caught.value.problems]
    assert found == [
        "content/misiones.yaml, línea 5 (misión «uno»): no hay eventos «daily_gift.claim»"
        " (¿quiso decir «daily_gift.claimed»?).",
        "content/misiones.yaml, línea 10 (misión «dos»): «registrar» no es «registro», «manual» ni un tipo de"
        " evento (¿quiso decir «registro»?).",
        "content/misiones.yaml, línea 13 (misión «dos»): los eventos «daily_gift.claimed» no tienen el campo"
        " «rachas»; sus campos son «day», «streak», «besitos», «gift_id», «item_id», «quantity».",
        "content/misiones.yaml, línea 14 (misión «dos»): el objeto «rosa-rojo» no está en el catálogo"
        " (¿quiso decir «rosa-roja»?).",
        "content/misiones.yaml, línea 19 (misión «tres»): la recompensa no da nada: ponga «besitos»,"
        " «objeto» o ambos.",
    ]
