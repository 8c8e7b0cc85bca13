"""The ``yabot`` command: serve, and operate a running community from the shell (all output in Spanish)."""

import asyncio
import contextlib
import logging
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import click
from click.exceptions import NoArgsIsHelpError
from pydantic import ValidationError

from yabot_adapters.storage import StorageUnitOfWork, opened
from yabot_app.cli_spanish import NonBlankText, PositiveInt, SpanishGroup, usage_error_es
from yabot_app.container import Container, build_container
from yabot_app.lifecycle import StartupError, serving
from yabot_app.settings import Settings
from yabot_app.terminal import PrintableFormatter, printable
from yabot_core.gamification import MAX_AMOUNT, LedgerEntry, LedgerReason
from yabot_core.kernel import MAX_USER_ID, UserId, YabotError
from yabot_core.users import Registration, UserProfile, UserSource

T = TypeVar("T")

log = logging.getLogger("yabot")


# --- plumbing -------------------------------------------------------------------------------------------


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Error: {printable(message)}", err=True)
    sys.exit(code)


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
        _fail("la configuración no es válida:\n" + "\n".join(lines))


def _configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrintableFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    if settings.log_level != "DEBUG":
        # One log line per Telegram update is noise at INFO.
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def _run(coro: Coroutine[Any, Any, T]) -> T:
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
            _fail(f"{exc.message}\nCausa: {type(cause).__name__}{': ' + text if text else ''}")
        _fail(exc.message)
    except StartupError as exc:
        _fail(str(exc))


async def _with_storage(
    settings: Settings, work: Callable[[Container], Awaitable[T]], *, telegram: bool = False
) -> T:
    """Open the configured storage for a one-off command, run it, close everything.

    ``telegram``: the command may talk to Telegram (its bot session is closed at the end). Others never
    touch the bot, so they do not pay aiogram's import time.
    """
    container = build_container(settings)
    async with opened(container.storage()):
        try:
            return await work(container)
        finally:
            if telegram and settings.telegram_state == "on":
                await container.bot().session.close()


# --- commands -------------------------------------------------------------------------------------------


@click.group(
    cls=SpanishGroup,
    help="YABOT: el bot de Telegram y la API de la comunidad de Diana.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="yabot", message="yabot %(version)s", help="Muestra la versión y sale.")
def cli() -> None:
    """The ``yabot`` command group."""


def main() -> None:
    """Entry point of the ``yabot`` console script: click's usage errors, told in Spanish.

    A group called without a subcommand prints its (Spanish) help on stderr and exits 2, as click does: the
    command line was incomplete. ``--help`` prints it on stdout and exits 0.
    """
    try:
        cli.main(standalone_mode=False)
    except NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help(), err=True)
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        click.echo(f"Error: {usage_error_es(exc)}", err=True)
        if exc.ctx is not None:
            click.echo(f"Ayuda: {exc.ctx.command_path} --help", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Cancelado.", err=True)
        sys.exit(1)


@cli.command(help="Sirve la API y, si hay token, el bot de Telegram. Ctrl+C lo detiene limpiamente.")
@click.option("--ephemeral", is_flag=True, help="Guarda todo en memoria: nada sobrevive al salir.")
def run(ephemeral: bool) -> None:
    """Serve until SIGINT or SIGTERM."""
    settings = load_settings()
    if ephemeral:
        settings = settings.model_copy(update={"storage": "memory"})
    _configure_logging(settings)
    _run(_serve(settings))


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()

    def on_signal() -> None:
        if stop.is_set() and main_task is not None:  # a second Ctrl+C: stop waiting for the drain
            click.echo("Salida forzada.", err=True)
            main_task.cancel()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    with contextlib.suppress(asyncio.CancelledError):
        async with serving(build_container(settings), click.echo):
            await stop.wait()


@cli.group(help="Besitos: consultar y conceder desde la consola.")
def wallet() -> None:
    """Wallet commands."""


@wallet.command(help="Concede besitos a un usuario (también mientras `yabot run` está sirviendo).")
@click.argument("user_id", metavar="ID_USUARIO", type=PositiveInt("El id de usuario", MAX_USER_ID))
@click.argument("amount", metavar="CANTIDAD", type=PositiveInt("La cantidad", MAX_AMOUNT))
@click.option(
    "--reason",
    metavar="TEXTO",
    required=True,
    type=NonBlankText("El motivo no puede estar vacío."),
    help="Motivo que verá el usuario, p. ej. «Premio del concurso».",
)
@click.option(
    "--key",
    metavar="CLAVE",
    default=None,
    type=NonBlankText("La clave de idempotencia no puede estar vacía."),
    help="Clave de idempotencia: repetir el comando con la misma clave no duplica.",
)
def grant(user_id: int, amount: int, reason: str, key: str | None) -> None:
    """Credit a user from the shell: registration and credit commit together, or neither does."""
    settings = load_settings()
    if settings.storage == "memory":
        _fail("con YABOT_STORAGE=memory los datos viven solo dentro de `yabot run`; usa sqlite o mongo.")
    key = key or f"grant:{uuid.uuid4().hex}"

    async def work(container: Container) -> None:
        users, wallet_service = container.users(), container.wallet()

        async def register_and_credit(uow: StorageUnitOfWork) -> tuple[Registration, LedgerEntry]:
            # One unit of work: a refused credit (long note, reused or reserved key) registers nobody.
            registration = await users.register_in(
                uow, UserProfile(user_id=UserId(user_id)), source=UserSource.OPERATOR
            )
            entry = await wallet_service.credit_in(
                uow, UserId(user_id), amount, LedgerReason.ADMIN_GRANT, idempotency_key=key, note=reason
            )
            return registration, entry

        registration, entry = await container.storage().transactions.run(register_and_credit)
        balance = await wallet_service.balance(UserId(user_id))
        click.echo(f"Concedidos {amount} besitos a {printable(registration.user.display_name)} ({user_id}).")
        click.echo(f"Saldo disponible: {balance.balance} besitos. Movimiento {entry.entry_id}, clave {key}.")
        if registration.created and settings.welcome_besitos:
            click.echo(
                "Es un usuario nuevo: también recibirá el regalo de bienvenida "
                f"({settings.welcome_besitos} besitos)."
            )

    _run(_with_storage(settings, work))


@wallet.command(help="Muestra el saldo y los últimos movimientos de un usuario.")
@click.argument("user_id", metavar="ID_USUARIO", type=PositiveInt("El id de usuario", MAX_USER_ID))
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=PositiveInt("El límite", 100),
    help="Movimientos a mostrar, de 1 a 100.",
)
def balance(user_id: int, limit: int) -> None:
    """Show a user's balance and last movements."""
    settings = load_settings()

    async def work(container: Container) -> None:
        wallet_service = container.wallet()
        summary = await wallet_service.balance(UserId(user_id))
        page = await wallet_service.history(UserId(user_id), limit=limit)
        click.echo(f"Usuario {user_id}: {summary.balance} besitos disponibles, {summary.held} reservados.")
        for entry in page.entries:
            note = f" — {printable(entry.note)}" if entry.note else ""
            when = entry.created_at.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M")
            click.echo(f"  {when}  {entry.amount:+d}  {entry.reason.label}{note}")
        if page.total == 0:
            click.echo("  Sin movimientos.")

    _run(_with_storage(settings, work))


@cli.group(help="Eventos: los que fallaron y su reenvío.")
def events() -> None:
    """Event commands."""


@events.command("dead-letters", help="Lista los eventos que un manejador no pudo procesar tras 3 intentos.")
@click.option("--all", "include_replayed", is_flag=True, help="Incluye los ya reenviados con éxito.")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=PositiveInt("El límite", 1000),
    help="Eventos a mostrar, de 1 a 1000.",
)
def dead_letters(include_replayed: bool, limit: int) -> None:
    """List dead letters."""
    settings = load_settings()

    async def work(container: Container) -> None:
        queries = container.storage().dead_letter_queries
        letters = await queries.list(include_replayed=include_replayed, limit=limit)
        if not letters:
            click.echo("No hay eventos fallidos. Todo en orden.")
            return
        click.echo(f"{'ID':<12}  {'FALLÓ':<16}  {'EVENTO':<28}  {'MANEJADOR':<34}  INT.  ERROR")
        for letter in letters:
            when = letter.failed_at.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M")
            state = " (reenviado)" if letter.replayed_at else ""
            click.echo(
                f"{letter.dead_letter_id:<12}  {when:<16}  {letter.event_type:<28}  {letter.handler:<34}  "
                f"{letter.attempts:>4}  {printable(letter.error[:80])}{state}"
            )
        click.echo("Reenvía uno con: yabot events replay ID")

    _run(_with_storage(settings, work))


@events.command(help="Reenvía un evento fallido a su manejador, una vez (arregla antes la causa).")
@click.argument("dead_letter_id", metavar="ID")
def replay(dead_letter_id: str) -> None:
    """Replay one dead letter."""
    settings = load_settings()
    _configure_logging(settings.model_copy(update={"log_level": "WARNING"}))

    async def work(container: Container) -> None:
        bus = container.event_routes()
        letter = await bus.replay(dead_letter_id.strip())
        click.echo(f"Reenviado: {letter.event_type} {letter.event_id} entregado a {letter.handler}.")

    _run(_with_storage(settings, work, telegram=True))


@cli.command("settings", help="Muestra la configuración efectiva (los secretos, ocultos).")
def show_settings() -> None:
    """Print the effective settings."""
    settings = load_settings()
    for name in Settings.model_fields:
        value = getattr(settings, name)
        shown = "(definido, oculto)" if hasattr(value, "get_secret_value") else value
        click.echo(f"YABOT_{name.upper():<28} {shown}")
