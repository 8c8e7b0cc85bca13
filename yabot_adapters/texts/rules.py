"""What makes a text usable: references that exist, only the variables the code passes, real variants."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Final

from fluent.runtime.builtins import BUILTINS

from yabot_adapters.texts.catalog import VARIANT_PREFIX
from yabot_adapters.texts.syntax import Entry, uses

KEPT: Final = "se usa el texto original"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with an entry: where, what (Spanish), what follows, and if it is only a warning."""

    line: int
    reason: str
    outcome: str = KEPT
    warning: bool = False


@dataclass(frozen=True, slots=True)
class Known:
    """What texts may refer to: every ``name``/``name.attribute`` of messages, and the same for terms."""

    messages: frozenset[str]
    terms: frozenset[str]


def references(entries: Mapping[str, Entry] | list[Entry]) -> frozenset[str]:
    """The keys of the entries and of their attributes, as references write them (``a``, ``a.b``, ``-t``)."""
    found: set[str] = set()
    for entry in entries.values() if isinstance(entries, Mapping) else entries:
        found.add(entry.key)
        found.update(f"{entry.key}.{attribute.id.name}" for attribute in entry.node.attributes)
    return frozenset(found)


def check_entry(entry: Entry, known: Known, *, shipped_attributes_only: bool) -> Iterator[Finding]:
    """Unknown messages, terms and functions; attributes that are no variants; a message with nothing to say.

    ``shipped_attributes_only`` makes a stray attribute an error (in shipped texts) rather than a warning.
    """
    used = uses(entry)
    line = entry.source.line
    for name, offset in used.functions.items():
        if name not in BUILTINS:
            yield Finding(line(offset), f"«{entry.key}» usa la función {name}(), que no existe (hay NUMBER)")
    for ref, offset in used.messages.items():
        if ref not in known.messages:
            yield Finding(line(offset), f"«{entry.key}» incluye el mensaje «{ref}», que no existe")
    for ref, offset in used.terms.items():
        if ref not in known.terms:
            yield Finding(line(offset), f"«{entry.key}» usa el término «{ref}», que no existe")
    if entry.key.startswith("-"):
        return
    attributes = [attribute.id for attribute in entry.node.attributes]
    for attribute in attributes:
        if not attribute.name.startswith(VARIANT_PREFIX):
            yield Finding(
                entry.source.line(attribute.span.start if attribute.span else 0),
                f"«{entry.key}» tiene el atributo .{attribute.name}, que no es una variante (su nombre debe "
                f"empezar por «{VARIANT_PREFIX}»)",
                outcome="no se usará",
                warning=not shipped_attributes_only,
            )
    if entry.node.value is None and not any(a.name.startswith(VARIANT_PREFIX) for a in attributes):
        yield Finding(entry.line, f"«{entry.key}» no tiene texto ni variantes")


def check_override(entry: Entry, shipped_variables: Mapping[str, frozenset[str]]) -> Iterator[Finding]:
    """An override must replace a shipped message and use only what the code passes to that message.

    The code passes the shipped message's variables; a message the override includes must need no more.
    """
    if entry.key.startswith("-"):
        return  # terms are the creator's own building blocks: new ones are welcome
    receives = shipped_variables.get(entry.key)
    if receives is None:
        close = get_close_matches(entry.key, shipped_variables, n=1)
        hint = f" (¿quería decir «{close[0]}»?)" if close else ""
        yield Finding(
            entry.line, f"«{entry.key}» no es el nombre de ningún texto de YABOT{hint}", "se ignora"
        )
        return
    used = uses(entry)
    for name, offset in used.variables.items():
        if name not in receives:
            yield Finding(
                entry.source.line(offset),
                f"«{entry.key}» usa la variable ${name}, que este mensaje no recibe",
            )
    for ref, offset in used.messages.items():
        for name in sorted(shipped_variables.get(ref.partition(".")[0], frozenset()) - receives):
            yield Finding(
                entry.source.line(offset),
                f"«{entry.key}» incluye «{ref}», que usa la variable ${name}, que este mensaje no recibe",
            )


def message_variables(messages: Mapping[str, Entry]) -> dict[str, frozenset[str]]:
    """Each message's variables: its own (value and attributes) and those of the messages it includes."""
    direct = {key: uses(entry) for key, entry in messages.items()}
    result: dict[str, frozenset[str]] = {}
    for key in messages:
        seen, pending, names = {key}, [key], set[str]()
        while pending:
            used = direct[pending.pop()]
            names.update(used.variables)
            for ref in used.messages:
                target = ref.partition(".")[0]
                if target in direct and target not in seen:
                    seen.add(target)
                    pending.append(target)
        result[key] = frozenset(names)
    return result


def in_cycles(entries: Mapping[str, Entry]) -> set[str]:
    """The messages and terms that include themselves, directly or not.

    fluent.runtime catches only some cycles when formatting; others recurse until Python gives up.
    """
    return {key for key in entries if key in reachable(key, entries)}


def reachable(key: str, entries: Mapping[str, Entry]) -> set[str]:
    """Every key the entry's text leads to through message and term references (itself only on a cycle)."""
    seen: set[str] = set()
    pending = [key]
    while pending:
        entry = entries.get(pending.pop())
        if entry is None:
            continue
        used = uses(entry)
        for ref in [*used.messages, *used.terms]:
            target = ref.partition(".")[0]
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen
