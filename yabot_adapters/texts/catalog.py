"""The text catalog: renders a Fluent message as Telegram HTML, with plurals, variants and safe arguments."""

import logging
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Final, TypeAlias

from babel import Locale
from fluent.runtime import FluentBundle
from fluent.runtime.resolver import MAX_PART_LENGTH, CurrentEnvironment, Pattern, ResolverEnvironment
from fluent.runtime.types import FluentDecimal, FluentFloat, FluentInt, FluentNone

from yabot_core.kernel import spanish_number

log = logging.getLogger(__name__)

LOCALE: Final = "es"
VARIANT_PREFIX: Final = "variante"
FALLBACK_TEXT: Final = (
    "Le ruego me disculpe: se me han trabado las palabras. Vuelva a intentarlo en un momento, por favor."
)


@dataclass(frozen=True, slots=True)
class Html:
    """A fragment that is already safe Telegram HTML (built by our code), passed to a text unescaped."""

    text: str


TextArg: TypeAlias = str | int | float | Decimal | Html
"""What a text receives: plain text (escaped), numbers (plurals and Spanish digits), or ``Html``.

Dates and times are formatted by the caller and passed as ``str``.
"""


class SpanishInt(FluentInt):
    """A whole number written as YABOT always writes it: a dot between thousands, from 1.000 on.

    Spanish CLDR data asks for no separator in four-digit numbers ("1000", minimum grouping digits 2), but
    babel ignores that rule today and may honour it tomorrow; YABOT's texts have always said "1.000", so
    the digits are ours and do not move with babel. Plural selection still uses CLDR rules.
    """

    def format(self, locale: Locale) -> str:  # noqa: ARG002 - the format is Spanish by design
        return format_number(int(self))


format_number = spanish_number
"""Write a whole number as texts show it: ``7``, ``1.000``, ``12.500``, ``-1.000`` (the kernel's rule)."""


def to_fluent(value: object) -> object:
    """Turn a caller's argument into what Fluent formats: escaped text, Spanish numbers, trusted HTML.

    Raises:
        TypeError: for anything else (``bool``, ``None``, dates): the caller formats those itself.
    """
    if isinstance(value, Html):
        return value.text
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, bool):
        raise TypeError("a bool is not a text argument; pass the words to show")
    if isinstance(value, int):
        return SpanishInt(value)
    if isinstance(value, float):
        return FluentFloat(value)
    if isinstance(value, Decimal):
        return FluentDecimal(value)
    raise TypeError(f"{type(value).__name__} is not a text argument; format it as str first")


class SpanishBundle(FluentBundle):
    """A Spanish bundle without Unicode isolation marks, which Telegram would show as stray characters.

    ``FluentBundle.format_pattern`` turns every ``int`` argument, ``SpanishInt`` included, back into a plain
    ``FluentInt`` that babel writes; this one takes the arguments as ``to_fluent`` made them.
    """

    def __init__(self) -> None:
        super().__init__([LOCALE], use_isolating=False)

    def format_pattern(
        self, pattern: Pattern, args: dict[str, object] | None = None
    ) -> tuple[str | FluentNone, list[Exception]]:
        errors: list[Exception] = []
        env = ResolverEnvironment(
            context=self, current=CurrentEnvironment(args=dict(args or {})), errors=errors
        )
        try:
            result: str | FluentNone = pattern(env)
        except (ValueError, RecursionError) as exc:  # runaway texts; loading rejects the cycles it can see
            errors.append(exc)
            result = FluentNone()
        return result, errors


class Catalog:
    """Every text the bot says, shipped and overridden, ready to render; built by ``load_catalog``.

    Rendering never raises: an unknown id, a missing or unusable argument, or a text Fluent cannot
    format is logged as an error and the reader gets the shipped text or, failing that, ``FALLBACK_TEXT``.
    The tests over shipped texts and the code (``yabot_adapters.texts.checks``) keep that from happening.
    """

    def __init__(
        self,
        bundle: SpanishBundle,
        shipped: SpanishBundle,
        variables: Mapping[str, frozenset[str]],
        rng: random.Random,
    ) -> None:
        self._bundle = bundle
        self._shipped = shipped
        self._variables = dict(variables)
        self._rng = rng

    def ids(self) -> frozenset[str]:
        """The ids of every message the code may render (those shipped; overrides add none)."""
        return frozenset(self._variables)

    def variables(self, message_id: str, /) -> frozenset[str]:
        """The variables the code must pass to render ``message_id`` (raises ``KeyError`` if unknown).

        They are those of the shipped message, its variants and the messages it includes.
        """
        return self._variables[message_id]

    def render(self, message_id: str, /, **args: TextArg) -> str:
        """The message as Telegram HTML, one variant chosen at random; text arguments are escaped."""
        needed = self._variables.get(message_id)
        if needed is None:
            log.error("text %r does not exist; the reader gets the fallback text", message_id)
            return FALLBACK_TEXT
        missing = needed - args.keys()
        if missing:
            log.error("text %r rendered without %s; the reader gets the fallback text", message_id, missing)
            return FALLBACK_TEXT
        try:
            fluent_args = {name: to_fluent(value) for name, value in args.items()}
        except TypeError as exc:
            log.error("text %r: %s; the reader gets the fallback text", message_id, exc)  # noqa: TRY400
            return FALLBACK_TEXT
        # fluent.runtime refuses an argument longer than MAX_PART_LENGTH (2,500) characters, which a long
        # list built as Html can be: such values stand in as short tokens and are put back afterwards.
        long_values: dict[str, str] = {}
        for name, value in fluent_args.items():
            if isinstance(value, str) and len(value) > MAX_PART_LENGTH:
                token = fluent_args[name] = f"\ue000{len(long_values)}\ue001"
                long_values[token] = value
        text = self._format(self._bundle, message_id, fluent_args)
        if text is None and self._shipped is not self._bundle:
            log.error(
                "text %r failed with the creator's overrides; the reader gets the shipped one", message_id
            )
            text = self._format(self._shipped, message_id, fluent_args)
        if text is None:
            return FALLBACK_TEXT
        for token, value in long_values.items():
            text = text.replace(token, value)
        return text

    def render_text(self, text: str, /, **args: TextArg) -> str:
        """An operator's own plain ``text`` with its ``{ $variables }`` filled in (escaped, never raises)."""
        from yabot_adapters.texts import operator  # noqa: PLC0415  (operator texts build on this module)

        usable = {name: value for name, value in args.items() if not isinstance(value, bool | type(None))}
        try:
            rendered = operator.render(text, **usable)  # texts: an operator's own text, no id
        except (TypeError, ValueError):
            rendered = None
        if rendered is None:
            log.error("an operator's text could not be rendered; the reader gets it without variables")
            return escape(text, quote=False)
        return rendered

    def text_problems(self, text: str, variables: Collection[str]) -> list[str]:
        """What keeps an operator's ``text`` from rendering with ``variables`` (Spanish; empty when fine)."""
        from yabot_adapters.texts import operator  # noqa: PLC0415

        return operator.problems(text, variables)

    def _format(self, bundle: SpanishBundle, message_id: str, args: dict[str, object]) -> str | None:
        """One random variant of the message, or ``None`` (logged) if Fluent reports any error."""
        _, pattern = self._rng.choice(variants(bundle, message_id))
        text, errors = bundle.format_pattern(pattern, args)
        if errors or not isinstance(text, str):
            log.error("text %r could not be formatted: %s", message_id, errors)
            return None
        return text


def variants(bundle: SpanishBundle, message_id: str) -> list[tuple[str | None, Pattern]]:
    """The message's value (named ``None``) and its ``variante…`` attributes, in the order written."""
    message = bundle.get_message(message_id)
    found: list[tuple[str | None, Pattern]] = [(None, message.value)] if message.value is not None else []
    return found + [
        (name, pattern) for name, pattern in message.attributes.items() if name.startswith(VARIANT_PREFIX)
    ]
