"""Twine stories (Twee 3) turned into YABOT's story format: passages become fragments, links choices.

Pure text in, a plain mapping with the format's Spanish keys out (an adapter writes it as YAML), with what
could not be read as errors and what was dropped as warnings, each with its line in the ``.twee`` file.
A story format's own language (Harlowe or SugarCube macros, ``$variables``, HTML, CSS and JavaScript) has no
equivalent here: it is removed from the text and every removal is reported, so nothing is lost silently.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Final

from yabot_core.kernel import slugify, spanish_number
from yabot_core.story.fields import (
    MAX_CHOICE_ID,
    MAX_CHOICE_TEXT,
    MAX_FRAGMENT_ID,
    MAX_STORY_ID,
    MAX_TEXT,
    MAX_TITLE,
)

_HEADER: Final = re.compile(r"^::(?P<rest>.*)$")
_LINK: Final = re.compile(r"\[\[(?P<body>.+?)\]\]")
_SUGARCUBE_MACRO: Final = re.compile(r"<<.*?>>", re.DOTALL)
_HARLOWE_MACRO: Final = re.compile(r"\([a-zA-Z][\w-]*:[^()]*(?:\([^()]*\)[^()]*)*\)")
_HTML: Final = re.compile(r"</?[a-zA-Z][^<>]*>")
_VARIABLE: Final = re.compile(r"(?<![\w$])[$_][A-Za-z]\w*")
_SPECIAL: Final = frozenset({"StoryTitle", "StoryData"})
_FORMAT_PASSAGES: Final = frozenset({
    "StoryInit", "StoryCaption", "StoryMenu", "StoryBanner", "StorySubtitle", "StoryAuthor", "StoryShare",
    "PassageReady", "PassageDone", "PassageHeader", "PassageFooter", "StoryInterface",
})  # fmt: skip
_CODE_TAGS: Final = frozenset(
    {"script", "stylesheet", "widget", "header", "footer", "startup", "debug-startup"}
)
VIP_TAG: Final = "vip"
_SHOWN: Final = 60
"""How much of a removed macro a warning quotes."""


@dataclass(frozen=True, slots=True)
class TweeNote:
    """A problem (``error``) or a loss (a warning) at ``line`` of the ``.twee`` file, about ``passage``."""

    line: int
    passage: str | None
    message: str
    error: bool = False


@dataclass
class _Passage:
    name: str
    tags: list[str]
    line: int
    body: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TweeImport:
    """The story as a mapping with the format's keys (``None`` when an error keeps it from being read)."""

    story: dict[str, object] | None
    notes: tuple[TweeNote, ...]

    @property
    def errors(self) -> tuple[TweeNote, ...]:
        """The notes that keep the story from being imported."""
        return tuple(note for note in self.notes if note.error)


def import_twee(text: str, *, fallback_title: str) -> TweeImport:
    """Read a Twee 3 story; ``fallback_title`` titles it when it has no ``StoryTitle`` passage."""
    notes: list[TweeNote] = []
    passages = _passages(text, notes)
    if not passages and not notes:
        notes.append(TweeNote(1, None, "no hay ningún pasaje: cada uno empieza por «:: Nombre».", error=True))
    by_name: dict[str, _Passage] = {}
    for passage in passages:
        if passage.name in by_name:
            message = f"el pasaje «{passage.name}» ya está en la línea {by_name[passage.name].line}."
            notes.append(TweeNote(passage.line, passage.name, message, error=True))
        by_name.setdefault(passage.name, passage)
    title = _title(by_name, fallback_title, notes)
    start = _start(by_name, notes)
    story_passages = [p for p in by_name.values() if _is_story(p, notes)]
    ids = _ids(story_passages)
    fragments = [_fragment(p, ids, notes) for p in story_passages]
    if start is not None and start not in ids:
        notes.append(TweeNote(1, None, f"el pasaje de inicio «{start}» no existe.", error=True))
    if any(note.error for note in notes) or start is None:
        return TweeImport(None, tuple(notes))
    story_id = slugify(title)[:MAX_STORY_ID].strip("-") or "historia"
    story: dict[str, object] = {
        "id": story_id,
        "titulo": title[:MAX_TITLE],
        "version": 1,
        "inicio": ids[start],
        "fragmentos": fragments,
    }
    return TweeImport(story, tuple(notes))


def _passages(text: str, notes: list[TweeNote]) -> list[_Passage]:
    passages: list[_Passage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            passage = _header(header.group("rest"), number, notes)
            if passage is not None:
                passages.append(passage)
            continue
        if passages:
            passages[-1].body.append(line)
        elif line.strip():
            message = "hay texto antes del primer pasaje: cada pasaje empieza por «:: Nombre»."
            notes.append(TweeNote(number, None, message, error=True))
    return passages


def _header(rest: str, line: int, notes: list[TweeNote]) -> _Passage | None:
    r"""``Name [tags] {metadata}``: the name may escape ``[``, ``]``, ``{``, ``}`` and ``\``."""
    name, index = [], 0
    while index < len(rest) and rest[index] not in "[{":
        if rest[index] == "\\" and index + 1 < len(rest):
            index += 1
        name.append(rest[index])
        index += 1
    tags: list[str] = []
    tail = rest[index:].strip()
    if tail.startswith("["):
        closing = tail.find("]")
        if closing < 0:
            notes.append(
                TweeNote(line, None, "las etiquetas del pasaje abren «[» y no lo cierran.", error=True)
            )
            return None
        tags = tail[1:closing].split()
        tail = tail[closing + 1 :].strip()
    passage_name = "".join(name).strip()
    if tail.startswith("{"):
        try:
            json.loads(tail)
        except ValueError:
            message = "los metadatos del pasaje ({…}) no son JSON válido: se ignoran."
            notes.append(TweeNote(line, passage_name or None, message))
    if not passage_name:
        notes.append(TweeNote(line, None, "un pasaje necesita un nombre después de «::».", error=True))
        return None
    return _Passage(passage_name, tags, line)


def _title(by_name: dict[str, _Passage], fallback: str, notes: list[TweeNote]) -> str:
    passage = by_name.get("StoryTitle")
    title = "\n".join(passage.body).strip() if passage is not None else ""
    if not title:
        notes.append(TweeNote(1, None, f"no hay pasaje «StoryTitle»: la historia se titula «{fallback}»."))
        return fallback
    return title


def _start(by_name: dict[str, _Passage], notes: list[TweeNote]) -> str | None:
    data = by_name.get("StoryData")
    if data is not None:
        try:
            fields = json.loads("\n".join(data.body) or "{}")
        except ValueError:
            notes.append(TweeNote(data.line, "StoryData", "«StoryData» no es JSON válido.", error=True))
            return None
        start = fields.get("start") if isinstance(fields, dict) else None
        if isinstance(start, str) and start:
            return start
        if isinstance(fields, dict) and fields.get("format"):
            message = f"formato de historia «{fields['format']}»: sus macros no se importan (vea los avisos)."
            notes.append(TweeNote(data.line, "StoryData", message))
    if "Start" in by_name:
        return "Start"
    notes.append(
        TweeNote(1, None, "falta el inicio: ni «start» en «StoryData» ni un pasaje «Start».", error=True)
    )
    return None


def _is_story(passage: _Passage, notes: list[TweeNote]) -> bool:
    if passage.name in _SPECIAL:
        return False
    code = set(passage.tags) & _CODE_TAGS
    if code or passage.name in _FORMAT_PASSAGES:
        why = f"la etiqueta «{sorted(code)[0]}»" if code else "su nombre, especial en SugarCube"
        message = f"se omite el pasaje entero ({why}): YABOT no ejecuta código, estilos ni macros de Twine."
        notes.append(TweeNote(passage.line, passage.name, message))
        return False
    return True


def _ids(passages: list[_Passage]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for passage in passages:
        ids[passage.name] = _unique(slugify(passage.name) or "pasaje", MAX_FRAGMENT_ID, set(ids.values()))
    return ids


def _unique(base: str, maximum: int, taken: set[str]) -> str:
    candidate, number = base[:maximum].strip("-"), 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = base[: maximum - len(suffix)].strip("-") + suffix
        number += 1
    return candidate


def _link(body: str) -> tuple[str, str, str | None]:
    """A link's text and target, and a SugarCube setter (``[[a|b][$x to 1]]``) it drops."""
    setter = None
    if "][" in body:
        body, setter = body.split("][", 1)
    if "->" in body:
        text, target = body.rsplit("->", 1)
    elif "<-" in body:
        target, text = body.split("<-", 1)
    elif "|" in body:
        text, target = body.rsplit("|", 1)
    else:
        text = target = body
    return text.strip(), target.strip(), setter


def _fragment(passage: _Passage, ids: dict[str, str], notes: list[TweeNote]) -> dict[str, object]:
    choices: list[dict[str, object]] = []
    kept: list[str] = []
    for offset, raw in enumerate(passage.body, start=1):
        line = passage.line + offset

        def lost(message: str, at: int = line) -> None:
            notes.append(TweeNote(at, passage.name, message))

        for match in _LINK.finditer(raw):
            text, target, setter = _link(match.group("body"))
            if setter is not None:
                lost(f"el enlace a «{target}» asigna «{setter}»: se omite (use «efectos» con «marcar»).")
            if target not in ids:
                message = f"el enlace lleva a «{target}», que no es ningún pasaje de la historia."
                notes.append(TweeNote(line, passage.name, message, error=True))
                continue
            taken = {str(choice["id"]) for choice in choices}
            button = text or target
            if len(button) > MAX_CHOICE_TEXT:
                lost(f"el texto del enlace «{button}» pasa de {MAX_CHOICE_TEXT} caracteres: se acorta.")
                button = button[: MAX_CHOICE_TEXT - 1].rstrip() + "…"
            choice_id = _unique(slugify(button) or "opcion", MAX_CHOICE_ID, taken)
            choices.append({"id": choice_id, "texto": button, "destino": ids[target]})
        only_links = not _LINK.sub("", raw).strip() and _LINK.search(raw) is not None
        if not only_links:
            kept.append(
                _cleaned(_LINK.sub(lambda found: _link(found.group("body"))[0], raw), line, passage, notes)
            )
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    if len(text) > MAX_TEXT:
        message = f"el pasaje tiene {spanish_number(len(text))} caracteres; un fragmento admite {MAX_TEXT}."
        notes.append(TweeNote(passage.line, passage.name, message, error=True))
    fragment: dict[str, object] = {
        "id": ids[passage.name],
        "titulo": passage.name[:MAX_TITLE],
        "texto": text or passage.name[:MAX_TITLE],
    }
    if VIP_TAG in passage.tags:
        fragment["vip"] = "sí"
    tags = [tag for tag in passage.tags if tag != VIP_TAG]
    if tags:
        fragment["etiquetas"] = tags
    if choices:
        fragment["opciones"] = choices
    return fragment


def _cleaned(text: str, line: int, passage: _Passage, notes: list[TweeNote]) -> str:
    """A line without macros and HTML (each removal reported); ``$variables`` left are reported too."""
    for pattern, what in (
        (_SUGARCUBE_MACRO, "la macro de SugarCube"),
        (_HARLOWE_MACRO, "la macro de Harlowe"),
        (_HTML, "la etiqueta HTML"),
    ):
        for found in pattern.findall(text):
            shown = found if len(found) <= _SHOWN else found[: _SHOWN - 1] + "…"
            message = f"se quitó {what} «{shown}»: YABOT no la ejecuta (use condiciones y efectos)."
            notes.append(TweeNote(line, passage.name, message))
        text = pattern.sub("", text)
    for variable in dict.fromkeys(_VARIABLE.findall(text)):
        message = f"la variable «{variable}» queda escrita tal cual: YABOT no la sustituye."
        notes.append(TweeNote(line, passage.name, message))
    return text.rstrip()
