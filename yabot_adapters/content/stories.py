"""Stories from YAML: every file of the shipped ``stories/`` folder, then the creator's ``content/stories/``.

Each file is one story (``id``, ``titulo``, ``inicio``, ``fragmentos``...). A creator's story with the id of a
shipped one replaces it; ``id`` and ``quitar: sí`` alone removes it. Every problem names file, line and
fragment; the graph (targets, reachability, endings, the catalog's items, the missions conditions name) is
checked as a whole.
"""

import io
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from yabot_adapters.content.messages import describe
from yabot_adapters.content.problems import ContentError, ContentProblem, SourceFile
from yabot_adapters.content.reading import YamlDocument, line_of, load_yaml, plain
from yabot_adapters.content.validation import validate
from yabot_core.story import (
    Fragment,
    ScheduleMessage,
    Story,
    StoryHeader,
    StoryLibrary,
    StoryProblem,
    check_story,
    fragment_label,
)

STORIES_DIR: Final = "stories"
"""The creator's stories folder, inside her content folder (one YAML file per story)."""

FRAGMENTS: Final = "fragmentos"
_REMOVE: Final = "quitar"
_YES: Final = frozenset({"sí", "si", "true", "yes", "verdadero"})

TextCheck = Callable[[str], Sequence[str]]
"""Says in Spanish what keeps one of Lucien's scheduled texts from rendering (empty: nothing)."""


def story_files(folder: Path | None, shown_under: str | None = None) -> list[SourceFile]:
    """The ``.yaml``/``.yml`` files of ``folder`` by name, shown as ``<shown_under>/<name>`` when given."""
    if folder is None or not folder.is_dir():
        return []
    paths = sorted(path for path in folder.iterdir() if path.suffix in {".yaml", ".yml"} and path.is_file())
    return [
        SourceFile(path, f"{shown_under}/{path.name}") if shown_under else SourceFile.of(path)
        for path in paths
    ]


def load_story_library(
    shipped: Path,
    creator_dir: Path | None,
    items: Collection[str],
    *,
    text_check: TextCheck | None = None,
    missions: Collection[str] | None = None,
) -> StoryLibrary:
    """Load the shipped stories, apply the creator's over them, check every one against ``items``.

    ``creator_dir`` is her content folder (``YABOT_DATA_DIR/content``); her stories are in its ``stories``
    folder. ``text_check`` checks Lucien's scheduled texts (``mensaje``) as the running bot will render them;
    ``missions`` (the missions catalog's ids) the missions ``mision`` conditions name (``None``: unchecked).

    Raises:
        ContentError: with every problem found, in every file, at once.
    """
    problems: list[ContentProblem] = []
    creator = None if creator_dir is None else creator_dir / STORIES_DIR
    shown = None if creator_dir is None else f"{creator_dir.name}/{STORIES_DIR}"
    sources = [*story_files(shipped), *story_files(creator, shown)]
    stories: dict[str, Story] = {}
    defined_in: dict[tuple[str, bool], str] = {}
    shipped_count = len(story_files(shipped))
    for number, source in enumerate(sources):
        document, found = load_yaml(source)
        problems.extend(found)
        if document is None:
            continue
        story_id, story, removing = _story(document, (items, missions), text_check, problems)
        if story_id is None:
            continue
        layer = (story_id, number >= shipped_count)  # the creator's files may replace a shipped story once
        if layer in defined_in:
            message = (
                f"la historia «{story_id}» ya está definida en {defined_in[layer]};"
                " cada historia va en un solo archivo."
            )
            entry = f"historia «{story_id}»"
            problems.append(document.problem(message, line=_line(document, "id"), entry=entry))
            continue
        defined_in[layer] = source.shown_as
        if removing:
            if stories.pop(story_id, None) is None:
                message = f"no hay ninguna historia «{story_id}» de serie que quitar."
                problems.append(document.problem(message, line=_line(document, "id")))
            continue
        if story is not None:
            stories[story_id] = story
    if problems:
        raise ContentError(problems, files=[source.shown_as for source in sources])
    return StoryLibrary(tuple(stories.values()))


@dataclass(frozen=True, slots=True)
class StoryFile:
    """One story file read on its own (``yabot story check``): the story, or what keeps it from loading."""

    source: SourceFile
    document: YamlDocument | None
    story: Story | None
    problems: tuple[ContentProblem, ...]
    removes: bool = False

    def located(self, problem: StoryProblem) -> ContentProblem:
        """``problem`` (about the fragment n.º ``index``, at ``loc``) with this file's name and line."""
        if self.document is None:
            return ContentProblem(self.source.shown_as, None, problem.subject, problem.message)
        return self.document.problem(
            problem.message, line=_problem_line(self.document.data, problem), entry=problem.subject
        )


def read_story_file(
    source: SourceFile,
    items: Collection[str],
    *,
    text_check: TextCheck | None = None,
    missions: Collection[str] | None = None,
) -> StoryFile:
    """Read and check one story file as start-up would, without the other files around it."""
    problems: list[ContentProblem] = []
    document, found = load_yaml(source)
    problems.extend(found)
    if document is None:
        return StoryFile(source, None, None, tuple(problems))
    _, story, removing = _story(document, (items, missions), text_check, problems)
    return StoryFile(source, document, story, tuple(problems), removing)


def _problem_line(data: object, problem: StoryProblem) -> int | None:
    nodes = data.get(FRAGMENTS) if isinstance(data, CommentedMap) else None
    if problem.index is None or not isinstance(nodes, CommentedSeq):
        return line_of(data, problem.loc, 1)
    return line_of(nodes[problem.index], problem.loc, nodes.lc.item(problem.index)[0] + 1)


def _line(document: YamlDocument, key: str) -> int | None:
    return line_of(document.data, (key,), 1)


def _story(
    document: YamlDocument,
    catalogs: tuple[Collection[str], Collection[str] | None],
    text_check: TextCheck | None,
    problems: list[ContentProblem],
) -> tuple[str | None, Story | None, bool]:
    """The story's id, the story (``None`` when it has problems) and whether the file removes it instead."""
    data = document.data
    if not isinstance(data, CommentedMap):
        shape = "un bloque de campos (id, titulo, inicio, fragmentos)"
        message = f"el archivo debe ser {shape}, no {describe(plain(data))}."
        problems.append(document.problem(message, line=1))
        return None, None, False
    raw_id = data.get("id")
    story_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
    flag = data.get(_REMOVE)
    if flag is True or (isinstance(flag, str) and flag.strip().lower() in _YES):
        return story_id, None, True
    entry = f"historia «{story_id}»" if story_id else None
    header, found = validate(
        data, StoryHeader, source=document.source, entry=entry, drop=(FRAGMENTS, _REMOVE)
    )
    problems.extend(found)
    nodes = data.get(FRAGMENTS)
    if not isinstance(nodes, CommentedSeq) or not nodes:
        what = "falta" if nodes is None else f"no puede ser {describe(plain(nodes))}"
        message = f"«{FRAGMENTS}» {what}: escriba la lista de fragmentos, cada uno empezando por «- »."
        problems.append(document.problem(message, line=_line(document, FRAGMENTS), entry=entry))
        return story_id, None, False
    fragments: list[Fragment] = []
    before = len(problems)
    for index, node in enumerate(nodes):
        raw = plain(node)
        fragment_id = raw.get("id") if isinstance(raw, dict) else None
        label = fragment_label(fragment_id) if isinstance(fragment_id, str) else f"fragmento n.º {index + 1}"
        fragment, found = validate(
            node, Fragment, source=document.source, entry=label, line=nodes.lc.item(index)[0] + 1
        )
        problems.extend(found)
        if fragment is not None:
            fragments.append(fragment)
            problems.extend(_text_problems(document, node, fragment, text_check))
    if header is None or len(problems) > before:
        return story_id, None, False
    for problem in check_story(header, fragments, *catalogs):
        line = _problem_line(data, problem)
        problems.append(document.problem(problem.message, line=line, entry=problem.subject))
    if len(problems) > before:
        return story_id, None, False
    return story_id, Story(header, tuple(fragments)), False


def _text_problems(
    document: YamlDocument, node: object, fragment: Fragment, text_check: TextCheck | None
) -> list[ContentProblem]:
    if text_check is None:
        return []
    found = []
    places: list[tuple[tuple[str | int, ...], object]] = [
        (("al_entrar", number), effect) for number, effect in enumerate(fragment.on_entry)
    ]
    for place, choice in enumerate(fragment.choices):
        places.extend(
            (("opciones", place, "efectos", number), effect) for number, effect in enumerate(choice.effects)
        )
    for loc, effect in places:
        if isinstance(effect, ScheduleMessage):
            for message in text_check(effect.text):
                line = line_of(node, loc)
                found.append(
                    document.problem(f"el «mensaje» no sirve: {message}", line=line, entry=fragment.label)
                )
    return found


def dump_story(story: Mapping[str, object]) -> str:
    """Write a story mapping (the format's keys, as ``import_twee`` makes it) as the creator's YAML.

    Texts of several lines are written as literal blocks (``|``), so they read as she would write them.
    """
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(_blocks(story), stream)
    return stream.getvalue()


def _blocks(value: object) -> object:
    if isinstance(value, Mapping):
        return CommentedMap((key, _blocks(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return CommentedSeq(_blocks(item) for item in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value
