"""docs/content.md stays true: its examples load over the shipped content and its error sample is real."""

import re
import textwrap
from pathlib import Path

import pytest

import yabot_app.modules  # noqa: F401  (declares every module's events, as at start-up)
from yabot_adapters.content import (
    ContentError,
    load_daily_gift_content,
    load_item_catalog,
    load_mission_catalog,
    load_plan_catalog,
)
from yabot_adapters.content.achievements import load_achievement_catalog
from yabot_adapters.content.reactions import load_reaction_rules
from yabot_app.content import SHIPPED_DAILY_GIFT, SHIPPED_ITEMS, SHIPPED_MISSIONS, SHIPPED_PLANS
from yabot_app.modules.achievements import SHIPPED_ACHIEVEMENTS
from yabot_app.modules.reactions import SHIPPED_REACTIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "content.md"

# The broken file behind the doc's error sample.
BROKEN = """\
objetos:
  - id: vela-perfumada
    nombre: Vela perfumada
    descripcion: Huele a vainilla.
    apilable: quizás

  - id: Fotografía Antigua
    nombre: Fotografía antigua
    descripcion: >
      Una foto en blanco y negro.
    descripsion: Otra.

recetas:
  - ingredientes: [vela-perfumada, llave-dorda]
    resultado: llave-dorada
"""


def blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_every_yaml_example_loads_over_the_shipped_catalog(tmp_path: Path) -> None:
    """Each ```yaml block of the page, saved as the file it is for, loads without a problem."""
    examples = blocks("yaml")
    assert len(examples) >= 3
    for number, example in enumerate(examples):
        content = tmp_path / f"content-{number}"
        content.mkdir()
        if example.startswith("planes:"):
            (content / "planes.yaml").write_text(example, encoding="utf-8")
            load_plan_catalog(SHIPPED_PLANS, content)
        elif example.startswith("misiones:"):
            (content / "misiones.yaml").write_text(example, encoding="utf-8")
            load_mission_catalog(SHIPPED_MISSIONS, content, load_item_catalog(SHIPPED_ITEMS, None))
        elif example.startswith("reacciones:"):
            (content / "reacciones.yaml").write_text(example, encoding="utf-8")
            load_reaction_rules(SHIPPED_REACTIONS, content, load_item_catalog(SHIPPED_ITEMS, None))
        elif example.startswith("logros:"):
            (content / "logros.yaml").write_text(example, encoding="utf-8")
            load_achievement_catalog(SHIPPED_ACHIEVEMENTS, content, load_item_catalog(SHIPPED_ITEMS, None))
        elif example.startswith("racha:"):
            (content / "regalo_diario.yaml").write_text(example, encoding="utf-8")
            load_daily_gift_content(SHIPPED_DAILY_GIFT, content, load_item_catalog(SHIPPED_ITEMS, None))
        else:
            (content / "objetos.yaml").write_text(example, encoding="utf-8")
            load_item_catalog(SHIPPED_ITEMS, content)


def test_the_error_sample_is_what_yabot_prints(tmp_path: Path) -> None:
    """The page's sample of errors is the message a real broken file produces, line for line."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "objetos.yaml").write_text(textwrap.dedent(BROKEN), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_item_catalog(SHIPPED_ITEMS, content)
    (sample,) = blocks("text")
    assert sample.rstrip("\n") == f"Error: {caught.value.message}"
