"""click, in Spanish: help headings and option notes, usage errors, and whole-number parameters."""

import re
from typing import Any, Final

import click

from yabot_core.kernel import spanish_number

_ASCII_DIGITS: Final = re.compile(r"[0-9]+")


class PositiveInt(click.ParamType[int, str]):
    """A whole number from ``minimum`` (1) to ``maximum`` in plain ASCII digits, refused in Spanish otherwise.

    ``int()`` alone would also take `` 7 ``, ``1_0`` and Arabic-Indic digits (``٣``): an operator's typo
    must not turn into a grant.
    """

    name = "entero"

    def __init__(self, what: str, maximum: int, *, minimum: int = 1) -> None:
        self.what = what
        self.maximum = maximum
        self.minimum = minimum

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Parse ``value`` or fail with a Spanish message (click turns it into a usage error)."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value  # a default, already a number
        elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value):
            number = int(value)
        else:
            self.fail(f"{self.what} debe ser un número entero; «{value}» no lo es.", param, ctx)
        if not self.minimum <= number <= self.maximum:
            low, high = spanish_number(self.minimum), spanish_number(self.maximum)
            self.fail(f"{self.what} debe estar entre {low} y {high}.", param, ctx)
        return number


class NonBlankText(click.ParamType[str, str]):
    """A text with something besides spaces in it, refused in Spanish otherwise.

    Click would take ``--reason ""`` as a value; an empty reason or key is a slip, never a choice. Length
    limits stay with the core, which states them for every entry point alike.
    """

    name = "texto"

    def __init__(self, when_empty: str) -> None:
        self.when_empty = when_empty

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return ``value`` without surrounding spaces, or fail with the Spanish ``when_empty`` message."""
        text = str(value).strip()
        if not text:
            self.fail(self.when_empty, param, ctx)
        return text


# --- help, in Spanish -----------------------------------------------------------------------------------

HELP_OPTION_TEXT = "Muestra esta ayuda y sale."


def _write_usage(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix="Uso: ")


def _write_options(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """The options section, with click's bracketed notes (default, range, required) in Spanish."""
    rows = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option):
            continue
        record = param.get_help_record(ctx)  # its left column: spellings and metavar
        if record is None:  # a hidden option
            continue
        extra = param.get_help_extra(ctx)
        notes = []
        if "envvars" in extra:
            notes.append(f"variable de entorno: {', '.join(extra['envvars'])}")
        if "default" in extra:
            notes.append(f"por defecto: {extra['default']}")
        if "range" in extra:
            notes.append(extra["range"])
        if "required" in extra:
            notes.append("obligatorio")
        text = param.help or ""
        if notes:
            text = f"{text}  [{'; '.join(notes)}]" if text else f"[{'; '.join(notes)}]"
        rows.append((record[0], text))
    if rows:
        with formatter.section("Opciones"):
            formatter.write_dl(rows)


def _spanish_help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = HELP_OPTION_TEXT
    return option


class SpanishCommand(click.Command):
    """A command whose help is all Spanish: headings, the help option, the notes on each option."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401  (click's own signature)
        kwargs.setdefault("options_metavar", "[OPCIONES]")
        super().__init__(*args, **kwargs)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write ``Uso: yabot … [OPCIONES] …``."""
        _write_usage(self, ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the ``Opciones:`` section."""
        _write_options(self, ctx, formatter)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the ``Argumentos:`` section, when some argument has help (none has yet)."""
        arguments = [param for param in self.get_params(ctx) if isinstance(param, click.Argument)]
        if any(argument.help for argument in arguments):
            with formatter.section("Argumentos"):
                formatter.write_dl([(a.make_metavar(ctx), a.help or "") for a in arguments])

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The ``-h/--help`` option, described in Spanish."""
        return _spanish_help_option(super().get_help_option(ctx))


class SpanishGroup(click.Group):
    """A group whose help is all Spanish; its subcommands and subgroups are Spanish too."""

    command_class = SpanishCommand
    group_class = type  # subgroups are SpanishGroups

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401  (click's own signature)
        kwargs.setdefault("options_metavar", "[OPCIONES]")
        kwargs.setdefault("subcommand_metavar", "COMANDO [ARGUMENTOS]...")
        super().__init__(*args, **kwargs)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write ``Uso: yabot … [OPCIONES] COMANDO [ARGUMENTOS]...``."""
        _write_usage(self, ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the ``Opciones:`` section, then ``Comandos:``."""
        _write_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the ``Comandos:`` section: each visible subcommand and its short help."""
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Comandos"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The ``-h/--help`` option, described in Spanish."""
        return _spanish_help_option(super().get_help_option(ctx))


_CLICK_MESSAGES_ES: Final = (
    (re.compile(r"No such command '(?P<what>.+)'\."), "el comando «{what}» no existe."),
    (re.compile(r"Got unexpected extra argument \((?P<what>.+)\)"), "sobra el argumento «{what}»."),
    (re.compile(r"Got unexpected extra arguments \((?P<what>.+)\)"), "sobran los argumentos «{what}»."),
    (
        re.compile(r"Option '(?P<what>.+)' requires (an argument|\d+ arguments)\."),
        "la opción {what} necesita un valor.",
    ),
    (re.compile(r"Missing command\."), "falta el comando."),
)
"""click's other usage errors, whose only trace is their English message, and what to say instead."""


def usage_error_es(exc: click.UsageError) -> str:
    """What to tell the operator, in Spanish, for one of click's usage errors."""
    hint = ""
    if isinstance(exc, click.BadParameter | click.MissingParameter) and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx) if exc.ctx is not None else str(exc.param.name)
    if isinstance(exc, click.MissingParameter):
        return f"falta {hint}."
    if isinstance(exc, click.BadParameter):
        return f"valor no válido para {hint}: {exc.message}" if hint else exc.message
    if isinstance(exc, click.NoSuchOption):
        return f"la opción {exc.option_name} no existe."
    for pattern, spanish in _CLICK_MESSAGES_ES:
        if match := pattern.fullmatch(exc.message):
            return spanish.format(**match.groupdict())
    return exc.message
