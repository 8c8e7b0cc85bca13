"""The daily gift from YAML: the shipped file, the creator's overrides, every problem at once, in Spanish."""

import textwrap
from pathlib import Path

import pytest

from tests.contracts.inventory_catalog import small_catalog
from yabot_adapters.content import ContentError, load_daily_gift_content, load_item_catalog
from yabot_app.content import SHIPPED_DAILY_GIFT, SHIPPED_ITEMS


def creator(content: Path, text: str) -> None:
    content.mkdir(parents=True, exist_ok=True)
    (content / "regalo_diario.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_shipped_daily_gift_loads_against_the_shipped_items() -> None:
    """The repository's file loads clean; its surprises name items of the shipped catalog."""
    loaded = load_daily_gift_content(SHIPPED_DAILY_GIFT, None, load_item_catalog(SHIPPED_ITEMS, None))
    assert (loaded.streak.base, loaded.streak.increment, loaded.streak.cap) == (5, 1, 10)
    assert [gift.id for gift in loaded.gifts] == ["nada-mas", "besitos-extra", "rosa", "llave"]


def test_the_creator_replaces_the_streak_and_adds_and_removes_surprises(tmp_path: Path) -> None:
    """Her streak replaces the shipped one; her surprises are added, replace or remove by id."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        racha:
          - base: 20
            incremento: 10
            tope: 100
        regalos:
          - id: nada-mas
            quitar: sí
          - id: llave
            quitar: sí
          - id: rosa
            peso: 50
            objeto: ramo
            cantidad: 2
        """,
    )
    loaded = load_daily_gift_content(SHIPPED_DAILY_GIFT, content, small_catalog())
    assert (loaded.streak.base, loaded.streak.increment, loaded.streak.cap) == (20, 10, 100)
    assert [(gift.id, gift.weight, gift.item_id, gift.quantity) for gift in loaded.gifts] == [
        ("besitos-extra", 30, None, 1),
        ("rosa", 50, "ramo", 2),
    ]


def test_every_problem_is_told_with_its_file_and_line(tmp_path: Path) -> None:
    """A cap under the base, a zero weight, an unknown item, a bad id: each at its line, all at once."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        racha:
          - base: 20
            tope: 10
        regalos:
          - id: Rosa Roja
            peso: 1
          - id: cero
            peso: 0
          - id: fantasma
            peso: 3
            objeto: rosa-rojo
        """,
    )
    with pytest.raises(ContentError) as caught:
        load_daily_gift_content(SHIPPED_DAILY_GIFT, content, load_item_catalog(SHIPPED_ITEMS, None))
    found = [str(problem) for problem in caught.value.problems]
    assert any("línea 3 (la racha): el tope (10) no puede ser menor que la base (20)." in p for p in found)
    assert any("línea 5" in p and "(¿quiso decir «rosa-roja»?)" in p for p in found), found
    assert any("línea 8 (sorpresa «cero»)" in p for p in found), found
    assert any(
        "línea 11 (sorpresa «fantasma»): el objeto «rosa-rojo» no está en el catálogo de objetos" in p
        for p in found
    ), found
    assert all(p.startswith("content/regalo_diario.yaml") or "regalo_diario.yaml" in p for p in found)


def test_a_removed_streak_is_a_problem(tmp_path: Path) -> None:
    """Without a streak there is nothing to pay each day: the loader says so."""
    content = tmp_path / "content"
    creator(content, "racha:\n  - quitar: sí\n")
    with pytest.raises(ContentError) as caught:
        load_daily_gift_content(SHIPPED_DAILY_GIFT, content, load_item_catalog(SHIPPED_ITEMS, None))
    assert [problem.message for problem in caught.value.problems] == [
        "falta «racha:» (base, incremento y tope de besitos de cada día seguido)."
    ]
