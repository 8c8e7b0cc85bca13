"""The reaction rules from YAML: the shipped file, the creator's over it, every problem at once."""

import textwrap
from pathlib import Path

import pytest

from yabot_adapters.content import ContentError, load_item_catalog
from yabot_adapters.content.reactions import load_reaction_rules
from yabot_app.content import SHIPPED_ITEMS
from yabot_app.modules.reactions import SHIPPED_REACTIONS
from yabot_core.inventory import ItemCatalog


@pytest.fixture(name="items")
def items_fixture() -> ItemCatalog:
    return load_item_catalog(SHIPPED_ITEMS, None)


def creator(content: Path, text: str) -> None:
    content.mkdir(parents=True, exist_ok=True)
    (content / "reacciones.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_shipped_rules_load(items: ItemCatalog) -> None:
    """A besito a reaction, twenty a day, four buttons; 💋 gives half of Diana's letter."""
    rules = load_reaction_rules(SHIPPED_REACTIONS, None, items)
    assert (rules.besitos, rules.daily_cap, rules.buttons) == (1, 20, ("❤️", "🔥", "😍", "💋"))
    special = rules.special("💋")
    assert special is not None
    assert special.item_id == "carta-rota-izquierda"


def test_the_creator_s_rules_replace_the_shipped_ones(tmp_path: Path, items: ItemCatalog) -> None:
    """Her file sets her own pay, cap and buttons (accents welcome); the shipped specials go with it."""
    content = tmp_path / "content"
    creator(content, '\nreacciones:\n  - besitos: 3\n    tope_diario: 5\n    botones: ["👏", "😂"]\n')
    rules = load_reaction_rules(SHIPPED_REACTIONS, content, items)
    assert (rules.besitos, rules.daily_cap, rules.buttons, rules.specials) == (3, 5, ("👏", "😂"), ())


def test_every_problem_is_told_with_its_file_and_line(tmp_path: Path, items: ItemCatalog) -> None:
    """A negative cap, a repeated button, an unknown item: one Spanish line each, with its line."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        reacciones:
          - besitos: 2
            botones: ["👏", "👏"]
            especiales:
              - emoji: "👏"
                objeto: rosa-rojo
        """,
    )
    with pytest.raises(ContentError) as caught:
        load_reaction_rules(SHIPPED_REACTIONS, content, items)
    assert [str(problem) for problem in caught.value.problems] == [
        "content/reacciones.yaml, línea 3 (las reacciones): el botón «👏» está repetido.",
        "content/reacciones.yaml, línea 6 (las reacciones): el objeto «rosa-rojo» no está en el catálogo"
        " (¿quiso decir «rosa-roja»?).",
    ]
    creator(content, "reacciones:\n  - besitos: 2\n    tope_diario: -1\n")
    with pytest.raises(ContentError) as caught:
        load_reaction_rules(SHIPPED_REACTIONS, content, items)
    (problem,) = caught.value.problems
    assert str(problem).startswith("content/reacciones.yaml, línea 3 (las reacciones):")
