"""An operator's own words (``yabot lucien send 42 "Hola, { $nombre }"``): plain text with variables.

The text is the operator's, not HTML: it is escaped, then read as a Fluent pattern, so it can use the same
variables as the catalog's texts (``{ $nombre }``, ``{ $saldo }``) and nothing else (no other messages, no
terms). It is checked when it is scheduled and rendered when it is sent, with the reader's context then.
"""

from collections.abc import Collection
from functools import lru_cache
from html import escape
from typing import Final

from fluent.runtime import FluentResource
from fluent.runtime.resolver import Pattern

from yabot_adapters.texts.catalog import SpanishBundle, TextArg, to_fluent
from yabot_adapters.texts.syntax import Source, parse, uses

_ID: Final = "texto-del-operador"
_SPECIAL_LINE_STARTS: Final = ("[", "*", ".")
"""Characters Fluent reads as syntax at the start of a continuation line: written as literals instead."""


def _source(text: str) -> str:
    """``text`` (already escaped) as the value of one Fluent message, every line indented."""
    lines = [_literal_start(line) for line in escape(text, quote=False).splitlines() or [""]]
    return f"{_ID} =\n" + "\n".join(f"    {line}" if line.strip() else "" for line in lines) + "\n"


def _literal_start(line: str) -> str:
    """A line whose first visible character Fluent would read as syntax, with it written as a literal."""
    stripped = line.lstrip(" ")
    if not stripped.startswith(_SPECIAL_LINE_STARTS):
        return line
    return f'{line[: len(line) - len(stripped)]}{{"{stripped[0]}"}}{stripped[1:]}'


def problems(text: str, variables: Collection[str]) -> list[str]:
    """Say in Spanish what keeps ``text`` from being rendered with ``variables``; empty when fine."""
    entries, syntax = parse(Source("texto", _source(text)))
    if syntax or len(entries) != 1:
        reason = syntax[0].message if syntax else "no se entiende"
        return [f"El texto {reason.removeprefix(f'«{_ID}»: ')}; las variables se escriben {{ $nombre }}."]
    found = uses(entries[0])
    found_problems: list[str] = []
    known = ", ".join(f"{{ ${name} }}" for name in sorted(variables))
    found_problems.extend(
        f"El texto usa {{ ${name} }}, que Lucien no conoce; puede usar: {known}."
        for name in sorted(set(found.variables) - set(variables))
    )
    if found.messages or found.terms or found.functions:
        found_problems.append("El texto solo puede usar variables, como { $nombre }.")
    return found_problems


@lru_cache(maxsize=256)
def _pattern(text: str) -> tuple[SpanishBundle, Pattern | None]:
    """The text compiled once (an operator's message is rendered for each of its readers)."""
    bundle = SpanishBundle()
    bundle.add_resource(FluentResource(_source(text)))
    return bundle, bundle.get_message(_ID).value


def render(text: str, **args: TextArg) -> str | None:
    """``text`` with ``args`` filled in, or ``None`` if it cannot be rendered (see :func:`problems`)."""
    bundle, pattern = _pattern(text)
    if pattern is None:
        return None
    rendered, errors = bundle.format_pattern(
        pattern, {name: to_fluent(value) for name, value in args.items()}
    )
    if errors or not isinstance(rendered, str):
        return None
    return rendered
