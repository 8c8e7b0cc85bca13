"""Shipped texts must be sound: a broken one is a programming error that stops start-up and the tests."""

from pathlib import Path

import pytest

from tests.adapters.texts.conftest import write
from yabot_adapters.texts import ShippedTextsError, load_catalog


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a = uno\nb = { $x\n", "b.ftl, línea 2: «b»: no se entiende: falta «}»", id="syntax"),
        pytest.param(
            "a = { c }\n", "b.ftl, línea 1: «a» incluye el mensaje «c», que no existe", id="message"
        ),
        pytest.param("a = { -t }\n", "b.ftl, línea 1: «a» usa el término «-t», que no existe", id="term"),
        pytest.param(
            "a = { b }\nb = { a }\n",
            "b.ftl, línea 1: «a» se incluye a sí mismo, directa o indirectamente",
            id="cycle",
        ),
        pytest.param(
            "a = uno\n    .corta = u\n",
            "b.ftl, línea 2: «a» tiene el atributo .corta, que no es una variante (su nombre debe "
            "empezar por «variante»)",
            id="stray-attribute",
        ),
        pytest.param(
            "a = uno\n    .variante-2 = dos & tres\n",
            "b.ftl, línea 2: «a» no es HTML que Telegram acepte: hay un «&» suelto (para que se vea, escriba "
            "&amp;)",
            id="html",
        ),
        pytest.param(
            'a = { NUMBER(1, style: "currency") }\n',
            "b.ftl, línea 1: «a» no se puede componer: currency must be provided",
            id="unformattable",
        ),
    ],
)
def test_broken_shipped_text_raises(tmp_path: Path, text: str, expected: str) -> None:
    """Each kind of broken shipped text raises, naming the file and line."""
    path = write(tmp_path / "b.ftl", text)
    with pytest.raises(ShippedTextsError) as raised:
        load_catalog([path])
    assert str(raised.value.problems[0]) == f"{tmp_path}/{expected}."


def test_message_shipped_twice_raises(tmp_path: Path) -> None:
    """Two shipped modules may not define the same message."""
    first = write(tmp_path / "a.ftl", "hola = uno\n")
    second = write(tmp_path / "b.ftl", "\nhola = dos\n")
    with pytest.raises(ShippedTextsError, match=r"b\.ftl, línea 2: «hola» ya está en .*a\.ftl, línea 1"):
        load_catalog([first, second])


def test_modules_share_terms_and_messages(tmp_path: Path) -> None:
    """One shipped module may use the terms and messages of another."""
    first = write(tmp_path / "core.ftl", "-casa = la casa\nfirma = Lucien\n")
    second = write(tmp_path / "wallet.ftl", "pie = En { -casa }, { firma }.\n")
    catalog, problems = load_catalog([first, second])
    assert problems == []
    assert catalog.render("pie") == "En la casa, Lucien."
