"""The code checker: every render call must name a shipped text and pass all of its variables."""

from pathlib import Path

import pytest

from tests.adapters.texts.conftest import write
from yabot_adapters.texts import Catalog, load_catalog
from yabot_adapters.texts.checks import CodeProblemKind, check_render_calls

SAMPLE = """\
def handlers(texts, catalog, message_id, extra):
    texts.render("saldo-resumen", nombre="Ana", count=3)
    texts.render("saldo-resumn", nombre="Ana")
    texts.render("saldo-resumen")
    texts.render(message_id)
    texts.render("saludo", **extra)
    catalog.render("despedida")
    texts.render()
"""


@pytest.fixture(name="catalog")
def catalog_fixture(shipped: list[Path]) -> Catalog:
    return load_catalog(shipped)[0]


def test_finds_each_kind(tmp_path: Path, catalog: Catalog) -> None:
    """Unknown ids, missing variables, and ids or arguments that cannot be checked are all reported."""
    source = write(tmp_path / "handlers.py", SAMPLE)
    found = [(p.line, p.kind, p.detail) for p in check_render_calls([source], catalog)]
    assert found == [
        (3, CodeProblemKind.UNKNOWN_ID, "text 'saldo-resumn' does not exist"),
        (
            4,
            CodeProblemKind.MISSING_VARIABLE,
            "text 'saldo-resumen' needs the variable 'count', which the call does not pass",
        ),
        (
            4,
            CodeProblemKind.MISSING_VARIABLE,
            "text 'saldo-resumen' needs the variable 'nombre', which the call does not pass",
        ),
        (5, CodeProblemKind.DYNAMIC_ID, "the text id is not a string literal"),
        (6, CodeProblemKind.DYNAMIC_ARGUMENTS, "text 'saludo' gets **arguments; pass each variable by name"),
        (8, CodeProblemKind.DYNAMIC_ID, "the text id is not a string literal"),
    ]


def test_clean_code_and_folders(tmp_path: Path, catalog: Catalog) -> None:
    """A folder is searched for Python files, and code that matches the catalog gives no problem."""
    write(tmp_path / "pkg" / "a.py", 'def f(t):\n    return t.render("movimientos", lista="-")\n')
    write(tmp_path / "pkg" / "sub" / "b.py", 'def g(t):\n    return t.render("firma")\n')
    assert check_render_calls([tmp_path / "pkg"], catalog) == []


def test_other_method_name(tmp_path: Path, catalog: Catalog) -> None:
    """A catalog reached through another method name is checked when that name is given."""
    source = write(tmp_path / "h.py", 'def f(t):\n    t.say("nada")\n    t.render("nada")\n')
    problems = check_render_calls([source], catalog, method="say")
    assert [(p.line, p.kind) for p in problems] == [(2, CodeProblemKind.UNKNOWN_ID)]
    assert str(problems[0]) == f"{source}:2: text 'nada' does not exist"
