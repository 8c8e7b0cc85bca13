"""Every command's help is Spanish: click's own test runner renders each one, in process."""

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from tests.e2e.process import CLICK_ENGLISH
from yabot_app.cli import cli


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The words that reach each command of the tree, the root (no words) included."""
    yield path
    if isinstance(command, click.Group):
        for name, subcommand in command.commands.items():
            yield from command_paths(subcommand, (*path, name))


@pytest.mark.parametrize("path", list(command_paths(cli)), ids=lambda path: " ".join(("yabot", *path)))
def test_every_help_is_spanish(path: tuple[str, ...]) -> None:
    """Each `--help` has Spanish headings, help option, notes and metavars, and none of click's English."""
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="yabot")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Uso: {' '.join(('yabot', *path))} [OPCIONES]")
    assert "Opciones:\n" in result.output
    assert "-h, --help" in result.output
    assert "Muestra esta ayuda y sale." in result.output
    assert ("Comandos:\n" in result.output) == isinstance(_command(path), click.Group)
    assert not CLICK_ENGLISH.search(result.output), result.output


def test_notes_on_options_are_spanish() -> None:
    """Click's bracketed notes on options read `[obligatorio]` and `[por defecto: N]`."""
    grant = CliRunner().invoke(cli, ["wallet", "grant", "--help"], prog_name="yabot")
    assert "[obligatorio]" in grant.output
    balance = CliRunner().invoke(cli, ["wallet", "balance", "--help"], prog_name="yabot")
    assert "[por defecto: 10]" in balance.output


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command
