"""The VIP plans from YAML: the shipped file, the creator's overrides, every problem at once, in Spanish."""

import textwrap
from pathlib import Path

import pytest

from yabot_adapters.content import ContentError, load_plan_catalog
from yabot_app.content import SHIPPED_PLANS


def creator(content: Path, text: str, name: str = "planes.yaml") -> None:
    content.mkdir(parents=True, exist_ok=True)
    (content / name).write_text(textwrap.dedent(text), encoding="utf-8")


def problems(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_plan_catalog(SHIPPED_PLANS, content)
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_plans_load_and_fit_telegrams_invoices() -> None:
    """The plans in the repository load clean; without a creator file they are the catalog."""
    catalog = load_plan_catalog(SHIPPED_PLANS, None)
    assert [plan.id for plan in catalog] == ["vip-mensual", "vip-trimestral"]
    assert [plan.days for plan in catalog] == [30, 90]
    assert load_plan_catalog(SHIPPED_PLANS, Path("/no/existe")) == catalog


def test_the_creator_replaces_adds_and_removes(tmp_path: Path) -> None:
    """Her entry with a shipped id replaces it, a new id is added, ``quitar: sí`` removes one."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        planes:
          - id: vip-mensual
            nombre: Un mes con Diana
            dias: 31
            precio: 450
            descripción: Un mes, con tilde y todo.
          - id: vip-trimestral
            quitar: sí
          - id: vip-anual
            nombre: Un año
            dias: 365
            precio: 4000
            descripcion: Todo el año.
        """,
    )
    catalog = load_plan_catalog(SHIPPED_PLANS, content)
    assert [(plan.id, plan.name, plan.days, plan.price) for plan in catalog] == [
        ("vip-mensual", "Un mes con Diana", 31, 450),
        ("vip-anual", "Un año", 365, 4000),
    ]


def test_every_problem_is_told_with_its_file_and_line(tmp_path: Path) -> None:
    """A broken plans file stops start-up with each problem, in Spanish, at its line."""
    content = tmp_path / "content"
    creator(
        content,
        """\
        planes:
          - id: Vip Semanal
            nombre: Una semana
            dias: 7
            precio: 150
            descripcion: Siete días.
          - id: vip-doble
            nombre: Un nombre demasiado largo para una factura
            dias: cero
            precio: 100
            descripcion: Dos.
          - id: vip-mensul
            quitar: sí
        """,
    )
    found = problems(content)
    assert found[0].startswith(
        "content/planes.yaml, línea 2 (plan «Vip Semanal»): «Vip Semanal» no sirve como id"
    )
    assert "(¿quiso decir «vip-semanal»?)" in found[0]
    assert found[1].startswith("content/planes.yaml, línea 8 (plan «vip-doble»): «nombre»")
    assert found[2].startswith("content/planes.yaml, línea 9 (plan «vip-doble»): «dias»")
    assert found[3] == (
        "content/planes.yaml, línea 12 (plan «vip-mensul»): el plan no existe en los archivos anteriores,"
        " así que no hay nada que quitar (¿quiso decir «vip-mensual»?)."
    )
    assert len(found) == 4


def test_a_repeated_id_and_two_spellings_are_problems(tmp_path: Path) -> None:
    """One id twice in her file, or both ``planes.yaml`` and ``planes.yml``, is refused."""
    content = tmp_path / "content"
    plan = "  - {id: vip-x, nombre: X, dias: 1, precio: 1, descripcion: X.}\n"
    creator(content, "planes:\n" + plan + plan)
    creator(content, "planes: []\n", name="planes.yml")
    assert problems(content) == [
        "content/planes.yaml, línea 3 (plan «vip-x»): el plan ya aparece en la línea 2 de este archivo;"
        " deje solo uno.",
        "content/planes.yml: hay dos archivos de planes, «planes.yaml» y «planes.yml»;"
        " deje solo «planes.yaml».",
    ]
