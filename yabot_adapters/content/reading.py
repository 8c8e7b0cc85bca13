"""Reading YAML content with ruamel's round-trip loader, which remembers the line of every key and item.

Whatever goes wrong (an unreadable file, bad UTF-8, a YAML syntax error, a key written twice) becomes a
Spanish problem naming file and line; reading goes on where it can, so one start-up reports every problem.
"""

import datetime as dt
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from yabot_adapters.content.problems import ContentProblem, SourceFile
from yabot_core.kernel import unaccented


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed content file: ruamel's nodes (``CommentedMap``/``CommentedSeq`` keep line numbers)."""

    source: SourceFile
    data: Any

    def problem(self, message: str, *, line: int | None = None, entry: str | None = None) -> ContentProblem:
        """A problem in this file."""
        return ContentProblem(self.source.shown_as, line, entry, message)


class _CollectingConstructor(RoundTripConstructor):
    """Records every duplicate key and keeps the first value, where ruamel would stop at the first one."""

    def __init__(self, preserve_quotes: bool | None = None, loader: object = None) -> None:
        super().__init__(preserve_quotes=preserve_quotes, loader=loader)
        self.duplicates: list[tuple[object, int, int | None]] = []

    def check_mapping_key(  # ruamel's signature
        self,
        node: object,  # noqa: ARG002
        key_node: Any,  # noqa: ANN401  # ruamel's untyped node
        mapping: CommentedMap,
        key: object,
        value: object,  # noqa: ARG002
    ) -> bool:
        if key in mapping:
            first = mapping.lc.data.get(key)
            self.duplicates.append((key, key_node.start_mark.line + 1, first[0] + 1 if first else None))
            return False
        return True


def creator_sources(
    creator_dir: Path | None, names: tuple[str, str], what: str, problems: list[ContentProblem]
) -> list[SourceFile]:
    """The creator's file among ``names`` (the spelling to use, then the other) in her folder, if any.

    Messages show it relative to the data dir (``content/objetos.yaml``). Both spellings at once is a
    problem (``what`` names the kind of file: ``objetos``); the first is used.
    """
    if creator_dir is None:
        return []
    found = [
        SourceFile(creator_dir / name, f"{creator_dir.name}/{name}")
        for name in names
        if (creator_dir / name).exists()
    ]
    if len(found) > 1:
        first, other = names
        message = f"hay dos archivos de {what}, «{first}» y «{other}»; deje solo «{first}»."
        problems.append(ContentProblem(found[1].shown_as, None, None, message))
    return found[:1]


def load_yaml(source: SourceFile) -> tuple[YamlDocument | None, list[ContentProblem]]:
    """Read one content file.

    Returns the document (``None`` when it could not be read or is empty) and the problems found; a document
    may come with problems (a duplicate key keeps its first value), so later checks can still report theirs.
    """
    text, problem = _read_text(source)
    if text is None:
        return None, [problem] if problem else []
    yaml = YAML(typ="rt")
    yaml.Constructor = _CollectingConstructor
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        return None, [_syntax_problem(source, text, exc)]
    problems = [
        ContentProblem(source.shown_as, line, None, _duplicate(key, first))
        for key, line, first in yaml.constructor.duplicates
    ]
    if data is None:
        message = "el archivo está vacío: escriba su contenido o bórrelo."
        return None, [*problems, ContentProblem(source.shown_as, None, None, message)]
    return YamlDocument(source, data), problems


def _read_text(source: SourceFile) -> tuple[str | None, ContentProblem | None]:
    try:
        raw = source.path.read_bytes()
    except OSError as exc:
        return None, ContentProblem(source.shown_as, None, None, _unreadable(exc))
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = (
            "el archivo no está guardado como texto UTF-8; vuelva a guardarlo con la codificación UTF-8."
        )
        return None, ContentProblem(source.shown_as, line, None, message)


def _syntax_problem(source: SourceFile, text: str, exc: YAMLError) -> ContentProblem:
    if isinstance(exc, ReaderError):
        line: int | None = text[: exc.position].count("\n") + 1
        message = f"hay un carácter invisible no permitido (U+{exc.character:04X}); bórrelo."
    elif isinstance(exc, MarkedYAMLError):
        line, message = _syntax_error(exc)
    else:
        line, message = None, _GENERIC_SYNTAX
    return ContentProblem(source.shown_as, line, None, message)


def _unreadable(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "el archivo no existe."
    if isinstance(exc, IsADirectoryError):
        return "es una carpeta, no un archivo."
    if isinstance(exc, PermissionError):
        return "YABOT no tiene permiso para leer el archivo."
    return f"no se pudo leer el archivo ({exc.strerror or type(exc).__name__})."


def _duplicate(key: object, first: int | None) -> str:
    where = f" (la primera vez, en la línea {first})" if first else ""
    return f"«{key}» está escrito dos veces en el mismo bloque{where}; deje solo uno."


_GENERIC_SYNTAX: Final = (
    "el texto no se puede leer como YAML en este punto; revise la sangría, los dos puntos y las comillas de"
    " esta línea y de la anterior."
)

# (pattern over ruamel's English problem text, whether the context mark points better, Spanish message)
_SYNTAX: Final[Sequence[tuple[re.Pattern[str], bool, str]]] = [
    (
        re.compile(r"found character '\\t'"),
        False,
        "hay un tabulador: la sangría se hace solo con espacios.",
    ),
    (
        re.compile(r"found character '(.)' that cannot start any token"),
        False,
        "un valor no puede empezar por «{0}»; escriba el texto entre comillas.",
    ),
    (
        re.compile(r"mapping values are not allowed here"),
        False,
        "hay «:» donde no se esperaba: si un texto lleva «: », escríbalo entre comillas; si no, revise la"
        " sangría.",
    ),
    (
        re.compile(r"could not find expected ':'"),
        True,
        "falta «:» después del nombre de un campo, o la línea tiene la sangría descolocada.",
    ),
    (
        re.compile(r"found unexpected end of stream"),
        True,
        "unas comillas se abren aquí y no se cierran.",
    ),
    (
        re.compile(r"expected ',' or '\]'"),
        True,
        "una lista entre corchetes «[» no se cierra con «]», o le falta una coma entre elementos.",
    ),
    (
        re.compile(r"expected ',' or '\}'"),
        True,
        "un bloque entre llaves «{{» no se cierra con «}}», o le falta una coma entre campos.",
    ),
    (
        re.compile(r"expected <block end>"),
        False,
        "la sangría no cuadra con la de las líneas anteriores; alinee este campo con sus hermanos.",
    ),
    (
        re.compile(r"found undefined alias '?([^']*)'?"),
        False,
        "«*{0}» se refiere a un ancla «&{0}» que no existe.",
    ),
    (
        re.compile(r"but found another document"),
        False,
        "el archivo contiene más de un documento (separados por «---»); debe haber uno solo.",
    ),
]


def _syntax_error(exc: MarkedYAMLError) -> tuple[int | None, str]:
    problem = exc.problem or ""
    for pattern, at_context, template in _SYNTAX:
        match = pattern.search(problem)
        if match:
            mark = exc.context_mark if at_context and exc.context_mark is not None else exc.problem_mark
            return _line(mark), template.format(*match.groups())
    return _line(exc.problem_mark or exc.context_mark), _GENERIC_SYNTAX


def _line(mark: Any) -> int | None:  # noqa: ANN401  # ruamel's untyped mark
    return None if mark is None else int(mark.line) + 1


def plain(node: object) -> Any:  # noqa: ANN401  # whatever YAML held
    """Return ruamel's nodes as plain ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` values."""
    if isinstance(node, dict):
        return {plain(key): plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [plain(value) for value in node]
    if isinstance(node, bool | dt.date):
        return node
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def line_of(node: object, loc: Sequence[str | int], default: int | None = None) -> int | None:
    """The line (from 1) of the deepest key or item of ``loc`` found under ``node``; else ``node``'s own line.

    ``loc`` is a path as pydantic reports it. Parts that name nothing in the document (union branches, a
    missing key) are passed over, so a missing field points at the block that should hold it.
    """
    line = node.lc.line + 1 if isinstance(node, CommentedMap | CommentedSeq) else default
    for part in loc:
        if isinstance(node, CommentedMap) and isinstance(part, str):
            key = _key_in(node, part)
            if key is None:
                continue
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
    return line


def _key_in(node: CommentedMap, name: str) -> Hashable | None:
    """The key of ``node`` that ``name`` stands for: itself, or the same word written with accents."""
    if name in node:
        return name
    return next((key for key in node if isinstance(key, str) and unaccented(key) == name), None)
