"""What the content of the modules that count events (missions, logros) shares.

One list of entries keyed by ``id``, each naming the event types it counts, validated and checked against
what YABOT declares. Only the model, the section's names and the module's own check differ between them.
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from yabot_adapters.content.merging import Entry, MergedContent, Section
from yabot_adapters.content.problems import ContentProblem
from yabot_core.kernel import Event, event_class

M = TypeVar("M", bound=BaseModel)


class Located(Protocol):
    """A problem a module's check found in its entries: which one (by position) and where inside it."""

    @property
    def index(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def loc(self) -> Sequence[str | int]: ...


def id_key(raw: Mapping[str, Any]) -> Hashable | None:
    """An entry's key: its ``id``, trimmed (``None`` when it has none usable)."""
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def id_section(name: str, noun: str, *, feminine: bool, label: Callable[[str], str]) -> Section:
    """The one list of such a file (``misiones:``), its entries keyed by ``id`` and named by ``label``."""

    def labelled(raw: Mapping[str, Any]) -> str | None:
        key = id_key(raw)
        return None if key is None else label(str(key))

    return Section(name=name, noun=noun, feminine=feminine, key_fields=("id",), key=id_key, label=labelled)


def declared_event(event_type: str) -> type[Event] | None:
    """The event class of a type YABOT declares, or ``None``: how the checks learn an event's fields."""
    try:
        return event_class(event_type)
    except KeyError:
        return None


def validated(
    merged: MergedContent,
    section: str,
    model: type[M],
    problems: list[ContentProblem],
    check: Callable[[list[M]], Sequence[Located]],
) -> list[M]:
    """Every entry of ``section`` validated as ``model``, then ``check``ed together.

    Each problem, of an entry alone or of the module's check, goes to ``problems`` at its entry's file and
    line.
    """
    models: list[M] = []
    entries: list[Entry] = []
    for entry in merged.section(section):
        found_model, found = entry.validate(model)
        problems.extend(found)
        if found_model is not None:
            models.append(found_model)
            entries.append(entry)
    problems.extend(entries[p.index].problem(p.message, loc=p.loc) for p in check(models))
    return models
