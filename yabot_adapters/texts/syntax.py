"""Reading ``.ftl`` sources: entries with their lines, syntax errors in Spanish, and what each entry uses."""

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

# What the creator reads for the syntax errors she is likely to make; the rest keep fluent.syntax's words.
_SYNTAX_ERRORS = {
    "E0002": "aquí debería empezar un mensaje (nombre = texto); si es la continuación del texto anterior, "
    "deje espacios al principio de la línea",
    "E0003": "falta «{0}»",
    "E0004": "se esperaba un carácter de «{0}»",
    "E0005": "el mensaje «{0}» no tiene texto",
    "E0006": "el término «-{0}» no tiene texto",
    "E0010": "una de las opciones debe llevar * delante (la que se usa por defecto)",
    "E0011": "después de «->» tiene que haber al menos una opción",
    "E0012": "falta el texto después de «=»",
    "E0013": "falta la clave de la opción entre corchetes, como [one] o [other]",
    "E0014": "se esperaba un texto entre comillas o un número",
    "E0015": "solo una opción puede llevar * delante",
    "E0020": "falta cerrar las comillas",
    "E0025": "secuencia de escape desconocida: \\{0}",
    "E0026": "secuencia Unicode no válida: {0}",
    "E0027": 'sobra una llave «}}»; para escribir una llave use {{"}}"}}',
    "E0028": "después de «{{» se esperaba una variable ($nombre), un mensaje o un texto entre comillas",
}
# Names are ASCII: "variante-guiño" stops at the "ñ", and the parser then misses the "=".
_MISSING_EQUALS = "falta «=» tras el nombre (un nombre solo lleva letras sin tildes ni eñes, números, - y _)"
_ENTRY_ID = re.compile(r"-?[a-zA-Z][\w-]*")


@dataclass(frozen=True, slots=True)
class Source:
    """One ``.ftl`` file's text, with the name it is shown under and a way to find a line."""

    shown_as: str
    text: str
    _line_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        object.__setattr__(self, "_line_starts", starts)

    def line(self, offset: int) -> int:
        """The 1-based line of a character offset."""
        return bisect.bisect_right(self._line_starts, offset)


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """A part of a file the parser could not read: it is left out, and said where and why in Spanish."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A message or term as written in one file."""

    node: ftl.Message | ftl.Term
    source: Source

    @property
    def key(self) -> str:
        """``name`` for a message, ``-name`` for a term, as Fluent writes references to them."""
        return ("-" if isinstance(self.node, ftl.Term) else "") + self.node.id.name

    @property
    def line(self) -> int:
        """The line of the entry's name."""
        return self.source.line(_start(self.node.id))

    def line_of(self, attribute: str | None) -> int:
        """The line of an attribute of the entry; the entry's own line for ``None`` or an unknown one."""
        found = [a for a in self.node.attributes if a.id.name == attribute]
        return self.source.line(_start(found[0])) if found else self.line


def parse(source: Source) -> tuple[list[Entry], list[SyntaxProblem]]:
    """The messages and terms of a file, and one problem for every part that could not be read."""
    entries: list[Entry] = []
    problems: list[SyntaxProblem] = []
    for item in FluentParser(with_spans=True).parse(source.text).body:
        if isinstance(item, ftl.Message | ftl.Term):
            entries.append(Entry(item, source))
        elif isinstance(item, ftl.Junk):
            problems.extend(_junk_problems(item, source))
    return entries, problems


def _junk_problems(junk: ftl.Junk, source: Source) -> Iterator[SyntaxProblem]:
    """Each annotation on unreadable text, at its line (kept inside the text: parsers point past it)."""
    found = _ENTRY_ID.match(junk.content or "")
    subject = f"«{found.group()}»: " if found else ""
    last = max(_start(junk), _end(junk) - 1)
    for note in junk.annotations:
        line = source.line(min(_start(note), last))
        yield SyntaxProblem(line, f"{subject}no se entiende: {_reason(note)}")


def _reason(note: ftl.Annotation) -> str:
    if note.code == "E0003" and note.arguments == ["="]:
        return _MISSING_EQUALS
    words = _SYNTAX_ERRORS.get(note.code)
    return words.format(*note.arguments) if words else f"{note.message} ({note.code})"


@dataclass(slots=True)
class Uses:
    """What an entry's text refers to, each with the offset of its first use (for the line)."""

    variables: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)  # "name" or "name.attribute"
    terms: dict[str, int] = field(default_factory=dict)  # "-name" or "-name.attribute"
    functions: dict[str, int] = field(default_factory=dict)


class _UsesCollector(Visitor):
    """Walks values, attributes, selectors and arguments alike, so nothing a text uses escapes the count."""

    def __init__(self) -> None:
        self.uses = Uses()

    def visit_VariableReference(self, node: ftl.VariableReference) -> None:  # noqa: N802 - Visitor's naming
        self.uses.variables.setdefault(node.id.name, _start(node))

    def visit_MessageReference(self, node: ftl.MessageReference) -> None:  # noqa: N802
        self.uses.messages.setdefault(_reference(node.id.name, node.attribute), _start(node))

    def visit_TermReference(self, node: ftl.TermReference) -> None:  # noqa: N802
        self.uses.terms.setdefault(_reference("-" + node.id.name, node.attribute), _start(node))
        self.generic_visit(node)

    def visit_FunctionReference(self, node: ftl.FunctionReference) -> None:  # noqa: N802
        self.uses.functions.setdefault(node.id.name, _start(node))
        self.generic_visit(node)


def uses(entry: Entry) -> Uses:
    """Every variable, message, term and function the entry's value and attributes use."""
    collector = _UsesCollector()
    collector.visit(entry.node.value)
    collector.visit(entry.node.attributes)
    return collector.uses


def _reference(name: str, attribute: ftl.Identifier | None) -> str:
    return name if attribute is None else f"{name}.{attribute.name}"


def _start(node: ftl.SyntaxNode) -> int:
    return node.span.start if node.span is not None else 0


def _end(node: ftl.SyntaxNode) -> int:
    return node.span.end if node.span is not None else 0
