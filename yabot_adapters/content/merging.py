"""Merging shipped content with the creator's: entries matched by key, later files overriding earlier ones.

The rules (docs/content.md tells the creator the same):

- Files are layers, applied in order: the shipped file first, the creator's last. A file has sections
  (``objetos:``, ``recetas:``), each a list of entries; every entry has a key (an item's ``id``, a recipe's
  pair of ingredients).
- An entry whose key an earlier file already defines replaces that entry, in its place.
- An entry with a new key is added after the earlier ones, in the order written.
- An entry with ``quitar: sí`` and nothing but its key removes the earlier entry with that key; removing what
  no earlier file defines is a problem (it is most often a typo in the key).
- Within one file a key appears once: a second time is a problem, since which one was meant is unknowable.
- Every entry keeps its file and line, so later checks can point at it.
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from yabot_adapters.content.messages import describe, quoted_list
from yabot_adapters.content.problems import ContentProblem, SourceFile
from yabot_adapters.content.reading import YamlDocument, line_of, plain
from yabot_adapters.content.validation import validate
from yabot_core.kernel import did_you_mean

REMOVE_KEY: Final = "quitar"
"""The key that, set to ``sí``, removes an earlier entry instead of defining one."""

_YES: Final = frozenset({"sí", "si", "true", "yes", "verdadero"})
_NO: Final = frozenset({"no", "false", "falso"})

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Section:
    """One list of entries in a content file, and how its entries are keyed and named."""

    name: str
    """The list's key in the file: ``objetos``."""
    noun: str
    """What one entry is called: ``objeto``."""
    feminine: bool
    """Whether ``noun`` takes «la» (``receta``): Spanish messages agree with it."""
    key_fields: tuple[str, ...]
    """The fields that make up the key: all a removal may carry besides ``quitar``."""
    key: Callable[[Mapping[str, Any]], Hashable | None]
    """The key of a raw entry (plain values), or ``None`` when it has none usable."""
    label: Callable[[Mapping[str, Any]], str | None]
    """How messages name a raw entry (``objeto «llave-dorada»``), or ``None`` to number it."""

    @property
    def the(self) -> str:
        """``el objeto``, ``la receta``."""
        return f"{'la' if self.feminine else 'el'} {self.noun}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry that survived the merge, with where it was written."""

    section: Section
    key: Hashable | None
    label: str
    node: CommentedMap
    source: SourceFile
    line: int

    @property
    def where(self) -> str:
        """``content/objetos.yaml, línea 12``."""
        return f"{self.source.shown_as}, línea {self.line}"

    def validate(self, model: type[M]) -> tuple[M | None, list[ContentProblem]]:
        """Validate the entry as ``model`` (``quitar`` aside); problems name this entry and their lines."""
        return validate(
            self.node, model, source=self.source, entry=self.label, line=self.line, drop=(REMOVE_KEY,)
        )

    def problem(self, message: str, *, loc: Sequence[str | int] = ()) -> ContentProblem:
        """A problem about this entry, at the line of ``loc`` inside it (a pydantic-style path)."""
        return ContentProblem(self.source.shown_as, line_of(self.node, loc, self.line), self.label, message)


@dataclass(frozen=True, slots=True)
class MergedContent:
    """The entries of every section after the merge, in order, and the removals that were applied."""

    entries: Mapping[str, tuple[Entry, ...]]
    removals: Mapping[tuple[str, Hashable], Entry]

    def section(self, name: str) -> tuple[Entry, ...]:
        """The entries of one section (empty when no file has it)."""
        return self.entries.get(name, ())


def merge(
    documents: Sequence[YamlDocument], sections: Sequence[Section]
) -> tuple[MergedContent, list[ContentProblem]]:
    """Merge the documents, earliest first, by the rules of this module's docstring."""
    merger = _Merger(sections)
    for document in documents:
        merger.add(document)
    entries = {name: tuple(found.values()) for name, found in merger.merged.items()}
    return MergedContent(entries, merger.removals), merger.problems


class _Merger:
    def __init__(self, sections: Sequence[Section]) -> None:
        self.sections = {section.name: section for section in sections}
        self.merged: dict[str, dict[Hashable, Entry]] = {section.name: {} for section in sections}
        self.removals: dict[tuple[str, Hashable], Entry] = {}
        self.problems: list[ContentProblem] = []

    def add(self, document: YamlDocument) -> None:
        data = document.data
        names = list(self.sections)
        if not isinstance(data, CommentedMap):
            start = quoted_list([f"{name}:" for name in names])
            message = f"el archivo debe empezar por {start}; ahora contiene {describe(plain(data))}."
            self.problems.append(document.problem(message, line=1))
            return
        seen: dict[tuple[str, Hashable], int] = {}
        for name, value in data.items():
            line = data.lc.key(name)[0] + 1
            section = self.sections.get(name)
            if section is None:
                hint = did_you_mean(str(name), names)
                also = "" if hint else f"; aquí se admiten {quoted_list(names, 'y')}"
                self.problems.append(document.problem(f"campo desconocido «{name}»{hint}{also}.", line=line))
            elif isinstance(value, CommentedSeq):
                for index, item in enumerate(value):
                    self._add_entry(document, section, index, item, value.lc.item(index)[0] + 1, seen)
            elif value is not None:
                message = (
                    f"«{name}» debe ser una lista (cada elemento en su línea, empezando por «- »),"
                    f" no {describe(plain(value))}."
                )
                self.problems.append(document.problem(message, line=line))

    def _add_entry(  # noqa: PLR0917  # private, one call site
        self,
        document: YamlDocument,
        section: Section,
        index: int,
        item: object,
        line: int,
        seen: dict[tuple[str, Hashable], int],
    ) -> None:
        if not isinstance(item, CommentedMap):
            message = (
                f"cada elemento de «{section.name}» debe ser un bloque de campos «nombre: valor»,"
                f" no {describe(plain(item))}."
            )
            self.problems.append(
                document.problem(message, line=line, entry=f"{section.noun} n.º {index + 1}")
            )
            return
        raw = plain(item)
        key = section.key(raw)
        entry = Entry(
            section, key, section.label(raw) or f"{section.noun} n.º {index + 1}", item, document.source, line
        )
        removing = self._removing(entry, raw)
        if key is not None:
            first = seen.get((section.name, key))
            seen[section.name, key] = first or line
            if first is not None:
                one = "una" if section.feminine else "uno"
                message = f"{section.the} ya aparece en la línea {first} de este archivo; deje solo {one}."
                self.problems.append(entry.problem(message))
                return
        merged = self.merged[section.name]
        if not removing:
            merged[key if key is not None else object()] = entry
        elif key is None:
            message = f"falta {quoted_list(section.key_fields)} para saber qué {section.noun} quitar."
            self.problems.append(entry.problem(message))
        elif key in merged:
            del merged[key]
            self.removals[section.name, key] = entry
        else:
            known = [earlier for earlier in merged if isinstance(earlier, str)]
            hint = did_you_mean(key, known) if isinstance(key, str) else ""
            message = (
                f"{section.the} no existe en los archivos anteriores, así que no hay nada que quitar{hint}."
            )
            self.problems.append(entry.problem(message))

    def _removing(self, entry: Entry, raw: Mapping[str, Any]) -> bool:
        """Whether the entry is a removal; a malformed one is reported and taken as meant."""
        if REMOVE_KEY not in raw:
            return False
        flag = raw[REMOVE_KEY]
        word = flag.strip().lower() if isinstance(flag, str) else None
        if not isinstance(flag, bool) and word not in _YES | _NO:
            message = f"«{REMOVE_KEY}» debe ser sí o no."
            self.problems.append(entry.problem(message, loc=(REMOVE_KEY,)))
            return False
        if flag is False or word in _NO:
            return False
        extra = [str(key) for key in raw if key != REMOVE_KEY and key not in entry.section.key_fields]
        if extra:
            needed = quoted_list(entry.section.key_fields, "y")
            one = "sobra" if len(extra) == 1 else "sobran"
            message = f"para quitar {entry.section.the} basta con {needed}; {one} {quoted_list(extra, 'y')}."
            self.problems.append(entry.problem(message, loc=(extra[0],)))
        return True
