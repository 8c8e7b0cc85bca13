"""Twee 3 into the story format: links become choices, errors are refused by line, losses are reported."""

import pytest

from yabot_core.story import TweeNote, import_twee


def fragments(text: str) -> dict[str, dict[str, object]]:
    imported = import_twee(text, fallback_title="prueba")
    assert imported.story is not None, imported.notes
    return {str(fragment["id"]): fragment for fragment in imported.story["fragmentos"]}  # type: ignore[attr-defined]


def errors(text: str) -> list[tuple[int, str]]:
    imported = import_twee(text, fallback_title="prueba")
    assert imported.story is None
    return [(note.line, note.message) for note in imported.errors]


LINKS = """:: Start
[[Simple]]
[[Ir a la flecha->Flecha]]
[[Atrás<-Volver atrás]]
[[Con barra|Barra]]
:: Simple
a
:: Flecha
b
:: Atrás
c
:: Barra [vip final]
d
"""


def test_the_four_link_forms_become_choices() -> None:
    """`[[t]]`, `[[t->d]]`, `[[d<-t]]` and `[[t|d]]` each give a button with its text and target."""
    start = fragments(LINKS)["start"]
    assert start["opciones"] == [
        {"id": "simple", "texto": "Simple", "destino": "simple"},
        {"id": "ir-a-la-flecha", "texto": "Ir a la flecha", "destino": "flecha"},
        {"id": "volver-atras", "texto": "Volver atrás", "destino": "atras"},
        {"id": "con-barra", "texto": "Con barra", "destino": "barra"},
    ]


def test_vip_tag_makes_a_vip_fragment_and_no_links_an_ending() -> None:
    """Tag `vip` -> `vip: sí`; other tags stay as `etiquetas`; a passage without links has no choices."""
    barra = fragments(LINKS)["barra"]
    assert barra["vip"] == "sí"
    assert barra["etiquetas"] == ["final"]
    assert "opciones" not in barra


def test_the_story_header_comes_from_story_title_and_story_data() -> None:
    """StoryTitle titles the story, StoryData's `start` names where it begins."""
    text = ':: StoryTitle\nMi Historia\n:: StoryData\n{"start": "Uno"}\n:: Uno\nhola\n'
    story = import_twee(text, fallback_title="x").story
    assert story is not None
    assert (story["id"], story["titulo"], story["inicio"]) == ("mi-historia", "Mi Historia", "uno")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("hola\n:: Start\nx\n", 1, "hay texto antes del primer pasaje"),
        (":: Start\n[[Ir->Nada]]\n", 2, "el enlace lleva a «Nada», que no es ningún pasaje"),
        (":: Start\nx\n:: Start\ny\n", 3, "el pasaje «Start» ya está en la línea 1"),
        (":: StoryData\n{roto\n:: Start\nx\n", 1, "«StoryData» no es JSON válido"),
        (":: Uno\nx\n", 1, "falta el inicio"),
        (":: Start [vip\nx\n", 1, "abren «[» y no lo cierran"),
    ],
)
def test_what_cannot_be_read_is_refused_by_line(text: str, line: int, words: str) -> None:
    """Each unreadable thing is an error at its line, and no story comes out."""
    assert any(at == line and words in message for at, message in errors(text))


def test_macros_html_and_variables_are_removed_and_reported() -> None:
    """Harlowe and SugarCube macros and HTML leave the text, each with a warning at its line."""
    text = ":: Start\nHola (set: $x to 1)<b>ya</b>\n<<if $x>>sí<</if>> $x\n"
    imported = import_twee(text, fallback_title="prueba")
    assert imported.story is not None
    fragment = imported.story["fragmentos"][0]  # type: ignore[index]
    assert fragment["texto"] == "Hola ya\nsí $x"
    warned = [(note.line, note.message.split(":")[0]) for note in imported.notes]
    assert (2, "se quitó la macro de Harlowe «(set") in warned
    assert (2, "se quitó la etiqueta HTML «<b>»") in warned
    assert (3, "se quitó la macro de SugarCube «<<if $x>>»") in warned
    assert (3, "la variable «$x» queda escrita tal cual") in warned
    assert all(not note.error for note in imported.notes)


def test_script_and_stylesheet_passages_are_dropped_with_a_warning() -> None:
    """A passage tagged `script` or `stylesheet` is not a fragment; the warning names it."""
    text = ":: Start\nx\n:: Estilo [stylesheet]\nbody {}\n"
    imported = import_twee(text, fallback_title="prueba")
    assert imported.story is not None
    assert len(imported.story["fragmentos"]) == 1  # type: ignore[arg-type]
    assert (
        TweeNote(
            3,
            "Estilo",
            "se omite el pasaje entero (la etiqueta «stylesheet»): YABOT no ejecuta código, estilos"
            " ni macros de Twine.",
        )
        in imported.notes
    )
