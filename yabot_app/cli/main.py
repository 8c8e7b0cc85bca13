"""The ``yabot`` command: serve, and operate a running community from the shell (all output in Spanish).

Every registered module adds its own subcommands (:meth:`ModulePlug.commands`); this file holds only what
belongs to no module: serving, settings, status, events, timers and Telegram's webhook.
"""

import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING

import click
from click.exceptions import NoArgsIsHelpError

from yabot_app.cli.events import events
from yabot_app.cli.migrate import migrate
from yabot_app.cli.runtime import configure_logging, load_settings, run, with_container
from yabot_app.cli.spanish import SpanishGroup, usage_error_es
from yabot_app.cli.timers import timers
from yabot_app.cli.webhook import webhook
from yabot_app.modules import MODULES
from yabot_app.settings import Settings

if TYPE_CHECKING:
    from yabot_app.container import Container


STATUS_TIMERS = 1000
"""How many pending timers ``yabot status`` counts before saying "1000+"."""


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


@cli.command("run", help="Sirve la API y, si hay token, el bot de Telegram. Ctrl+C lo detiene limpiamente.")
@click.option("--ephemeral", is_flag=True, help="Guarda todo en memoria: nada sobrevive al salir.")
def serve(ephemeral: bool) -> None:
    """Serve until SIGINT or SIGTERM."""
    settings = load_settings()
    if ephemeral:
        settings = settings.model_copy(update={"storage": "memory"})
    configure_logging(settings)
    run(_serve(settings))


async def _serve(settings: Settings) -> None:
    from yabot_app.container import build_container  # noqa: PLC0415  (keeps `yabot --help` quick)
    from yabot_app.lifecycle import serving  # noqa: PLC0415

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


@cli.command("settings", help="Muestra la configuración efectiva (los secretos, ocultos).")
def show_settings() -> None:
    """Print the effective settings."""
    settings = load_settings()
    for name in Settings.model_fields:
        value = getattr(settings, name)
        shown = "(definido, oculto)" if hasattr(value, "get_secret_value") else value
        click.echo(f"YABOT_{name.upper():<28} {shown}")


@cli.command(
    help=(
        "El estado de cada módulo, los eventos pendientes y fallidos, los avisos programados, los "
        "interruptores, los problemas abiertos y la última copia."
    )
)
def status() -> None:
    """Print each module's health and the backlogs."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        modules = container.modules()
        click.echo(f"Datos: {settings.describe_storage()}")
        try:
            await container.storage().ping()
        except Exception as exc:  # noqa: BLE001  (a status report shows every failure)
            click.echo(f"  almacenamiento: error: {getattr(exc, 'message', exc)}")
        else:
            click.echo("  almacenamiento: ok")
        for module, check in modules.health():
            try:
                await check.check()
            except Exception as exc:  # noqa: BLE001
                click.echo(f"  {module}.{check.name}: error: {getattr(exc, 'message', exc)}")
            else:
                click.echo(f"  {module}.{check.name}: ok")
        click.echo("Módulos: " + ", ".join(modules.names))
        click.echo(settings.describe_vip_channel())
        try:
            backlog = await container.event_routes().backlog()
        except Exception as exc:  # noqa: BLE001  (a status report shows every failure: Redis may be down)
            click.echo(f"Eventos pendientes de entrega: error: {getattr(exc, 'message', exc)}")
        else:
            click.echo(f"Eventos pendientes de entrega: {sum(backlog.values())}")
        letters = await container.storage().dead_letter_queries.list(limit=STATUS_TIMERS)
        more = "+" if len(letters) == STATUS_TIMERS else ""
        click.echo(f"Eventos fallidos sin reenviar: {len(letters)}{more}")
        timers_due = await container.storage().timer_store.pending(limit=STATUS_TIMERS)
        more = "+" if len(timers_due) == STATUS_TIMERS else ""
        now = container.clock().now()
        due = sum(1 for timer in timers_due if timer.due_at <= now)
        click.echo(f"Avisos programados: {len(timers_due)}{more} (vencidos sin disparar: {due})")
        for plug, services in modules.each():
            for line in await plug.report(services, modules.kernel):
                click.echo(line)
        if settings.telegram_mode == "webhook":
            unfinished = await container.storage().telegram_updates.unfinished()
            click.echo(f"Actualizaciones de Telegram recibidas sin atender: {unfinished}")

    run(with_container(settings, work))


cli.add_command(events)
cli.add_command(timers)
cli.add_command(webhook)
cli.add_command(migrate)
for _plug in MODULES:
    for _command in _plug.commands():
        cli.add_command(_command)
