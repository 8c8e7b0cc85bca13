"""What every ``yabot`` command shares: settings in Spanish, logging, running a coroutine, opening storage."""

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from pydantic import ValidationError

from yabot_app.errors import StartupError
from yabot_app.settings import Settings
from yabot_app.terminal import PrintableFormatter, printable
from yabot_core.kernel import YabotError

if TYPE_CHECKING:
    from yabot_app.container import Container

T = TypeVar("T")

_PYDANTIC_ES = {
    "int_parsing": "debe ser un número entero",
    "float_parsing": "debe ser un número",
    "bool_parsing": "debe ser verdadero o falso",
    "literal_error": "valor no admitido",
    "greater_than_equal": "es demasiado pequeño",
    "greater_than": "es demasiado pequeño",
    "less_than_equal": "es demasiado grande",
    "missing": "falta",
}


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``Error: message`` (escaped for the terminal) on stderr and exit with ``code``."""
    click.echo(f"Error: {printable(message)}", err=True)
    sys.exit(code)


def load_settings() -> Settings:
    """Read the settings, turning a bad value into one clear Spanish line per problem."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            reason = error.get("ctx", {}).get("error") or _PYDANTIC_ES.get(error["type"], error["msg"])
            if error["type"] == "literal_error":
                reason = f"debe ser uno de: {error['ctx']['expected']}"
            lines.append(f"  YABOT_{field.upper()}: {reason} (valor: {error.get('input')!r})")
        fail("la configuración no es válida:\n" + "\n".join(lines))


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, with user text escaped."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    if settings.log_level != "DEBUG":
        # One log line per Telegram update is noise at INFO.
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine, turning our errors into a Spanish line and exit code 1.

    An error raised ``from`` another adds a ``Causa:`` line with that cause's type and text: operators may
    read a driver's words (API clients never do; they get the Spanish message alone).
    """
    try:
        return asyncio.run(coro)
    except YabotError as exc:
        cause = exc.__cause__
        if cause is not None:
            text = str(cause)
            fail(f"{exc.message}\nCausa: {type(cause).__name__}{': ' + text if text else ''}")
        fail(exc.message)
    except StartupError as exc:
        fail(str(exc))


def local_time(moment: datetime, zone: tzinfo, *, seconds: bool = False) -> str:
    """``moment`` as the operator reads it: in the configured zone, day first (``24/12/2026 20:00``)."""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def welcome_gift_notice(settings: Settings, *, new_user: bool) -> None:
    """Tell the operator that a user the command just registered also gets the welcome gift, if any."""
    if new_user and settings.welcome_besitos:
        click.echo(
            "Es un usuario nuevo: también recibirá el regalo de bienvenida "
            f"({settings.welcome_besitos} besitos)."
        )


def memory_refused(settings: Settings) -> None:
    """Shell commands cannot reach a serving process's memory: say so instead of acting on nothing."""
    if settings.storage == "memory":
        fail("con YABOT_STORAGE=memory los datos viven solo dentro de `yabot run`; use sqlite o mongo.")


async def with_container(
    settings: Settings, work: Callable[["Container"], Awaitable[T]], *, telegram: bool = False
) -> T:
    """Open the configured storage for a one-off command, run ``work``, close everything.

    ``telegram``: the command runs handlers that talk to Telegram (a replay); others never touch the bot,
    so they do not pay aiogram's import time. Every command declares the same event routes as a serving
    process, so what it commits is owed to the same handlers.
    """
    from yabot_adapters.storage import opened  # noqa: PLC0415  (keeps `yabot --help` quick)
    from yabot_app.container import build_container  # noqa: PLC0415

    container = build_container(settings, telegram=telegram and settings.telegram_state == "on")
    async with opened(container.storage()):
        container.event_routes()
        try:
            return await work(container)
        finally:
            if container.telegram():
                await container.bot().session.close()
