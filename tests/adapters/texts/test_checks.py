"""The code checker: every render call must name a shipped text and pass all of its variables."""

from dataclasses import replace
from pathlib import Path

import pytest

from tests.adapters.texts.conftest import write
from yabot_adapters.texts import Catalog, load_catalog
from yabot_adapters.texts.checks import (
    BOT_COMMAND,
    CodeProblemKind,
    TextCall,
    check_render_calls,
    lucien_calls,
)

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


DYNAMIC = "the text id is not a string literal or a module constant holding one"


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
        (5, CodeProblemKind.DYNAMIC_ID, DYNAMIC),
        (6, CodeProblemKind.DYNAMIC_ARGUMENTS, "text 'saludo' gets **arguments; pass each variable by name"),
        (8, CodeProblemKind.DYNAMIC_ID, DYNAMIC),
    ]


def test_clean_code_and_folders(tmp_path: Path, catalog: Catalog) -> None:
    """A folder is searched for Python files, and code that matches the catalog gives no problem."""
    write(tmp_path / "pkg" / "a.py", 'def f(t):\n    return t.render("movimientos", lista="-")\n')
    write(tmp_path / "pkg" / "sub" / "b.py", 'def g(t):\n    return t.render("firma")\n')
    assert check_render_calls([tmp_path / "pkg"], catalog) == []


def test_other_calls_naming_texts(tmp_path: Path, catalog: Catalog) -> None:
    """A catalog reached through another method is checked when that call is described."""
    source = write(tmp_path / "h.py", 'def f(t):\n    t.say("nada")\n    t.render("nada")\n')
    problems = check_render_calls([source], catalog, calls=[TextCall("say")])
    assert [(p.line, p.kind) for p in problems] == [(2, CodeProblemKind.UNKNOWN_ID)]
    assert str(problems[0]) == f"{source}:2: text 'nada' does not exist"


LUCIEN = """\
from typing import Final

from pkg.ids import FAREWELL as BYE
from pkg import ids

HELLO: Final = "saludo"


async def notices(lucien, user_id, message_id, extra):
    await lucien.say(user_id, "saldo-resumen", count=3)
    await lucien.say(user_id, HELLO)
    await lucien.say(user_id, BYE)
    await lucien.tell_admins(ids.COUNT)
    await lucien.tell_admins(ids.MISSING)
    await lucien.say(user_id, "saldo-resumn")
    await lucien.say(user_id, message_id)
    await lucien.say(user_id, message_id, **extra)  # texts: forwards its caller's id
    await lucien.tell_admins("movimientos", **extra)
"""


def test_lucien_calls_with_literals_and_constants(tmp_path: Path, catalog: Catalog) -> None:
    """say and tell_admins are checked with ids as literals or module constants (here or imported); the
    variables Lucien adds himself need not be passed; a call marked ``# texts:`` is left to its callers."""
    package = tmp_path / "pkg"
    write(package / "__init__.py", "")
    write(package / "ids.py", 'FAREWELL = "despedida"\nCOUNT = "movimientos"\n')
    source = write(package / "notices.py", LUCIEN)
    problems = check_render_calls([package], catalog, calls=lucien_calls({"nombre"}))
    assert [(p.line, p.kind, p.detail) for p in problems] == [
        (
            13,
            CodeProblemKind.MISSING_VARIABLE,
            "text 'movimientos' needs the variable 'lista', which the call does not pass",
        ),
        (14, CodeProblemKind.DYNAMIC_ID, DYNAMIC),
        (15, CodeProblemKind.UNKNOWN_ID, "text 'saldo-resumn' does not exist"),
        (16, CodeProblemKind.DYNAMIC_ID, DYNAMIC),
        (
            18,
            CodeProblemKind.DYNAMIC_ARGUMENTS,
            "text 'movimientos' gets **arguments; pass each variable by name",
        ),
    ]
    assert {p.file for p in problems} == {source}


BOT = """\
from aiogram.types import BotCommand as TelegramCommand
from pkg.plug import BotCommand

BotCommand("saldo", "firma")
BotCommand("saldo", description="saludo")
BotCommand("nada", "nada")
TelegramCommand(command="x", description="cualquier cosa")
"""


def test_bot_command_descriptions_are_texts_rendered_without_variables(
    tmp_path: Path, catalog: Catalog
) -> None:
    """A module's command description must exist and need no variable; another BotCommand is not ours."""
    package = tmp_path / "pkg"
    write(package / "__init__.py", "")
    write(package / "plug.py", "class BotCommand: ...\n")
    write(package / "bot.py", BOT)
    kind = TextCall("BotCommand", id_at=1, id_keyword="description", method=False, variables=False)
    ours = replace(kind, origin="pkg.plug")
    found = [(p.line, p.detail) for p in check_render_calls([package], catalog, calls=[ours])]
    assert found == [
        (5, "text 'saludo' needs the variable 'nombre', which the call does not pass"),
        (6, "text 'nada' does not exist"),
    ]
    assert replace(kind, origin="yabot_app.modules.plug") == BOT_COMMAND
