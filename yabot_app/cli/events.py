"""``yabot events``: what handlers are owed, what they gave up on, and replaying it."""

from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import operator
from yabot_app.cli.runtime import configure_logging, load_settings, local_time, run, with_container
from yabot_app.cli.spanish import PositiveInt, SpanishGroup
from yabot_app.modules.admin import AdminModule
from yabot_app.terminal import printable

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group(cls=SpanishGroup, help="Eventos: los pendientes, los que fallaron y su reenvío.")
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

    async def work(container: "Container") -> None:
        queries = container.storage().dead_letter_queries
        letters = await queries.list(include_replayed=include_replayed, limit=limit)
        if not letters:
            click.echo("No hay eventos fallidos. Todo en orden.")
            return
        click.echo(f"{'ID':<12}  {'FALLÓ':<16}  {'EVENTO':<28}  {'MANEJADOR':<34}  INT.  ERROR")
        for letter in letters:
            when = local_time(letter.failed_at, settings.zone)
            state = " (reenviado)" if letter.replayed_at else ""
            click.echo(
                f"{letter.dead_letter_id:<12}  {when:<16}  {letter.event_type:<28}  {letter.handler:<34}  "
                f"{letter.attempts:>4}  {printable(letter.error[:80])}{state}"
            )
        click.echo("Reenvíe uno con: yabot events replay ID")

    run(with_container(settings, work))


@events.command(
    help="Reenvía un evento fallido a su manejador, una vez (arregle antes la causa); queda en la auditoría."
)
@click.argument("dead_letter_id", metavar="ID")
def replay(dead_letter_id: str) -> None:
    """Replay one dead letter."""
    settings = load_settings()
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}))

    async def work(container: "Container") -> None:
        desk = container.modules().get(AdminModule).desk
        letter = await desk.replay(container.event_routes(), dead_letter_id.strip(), actor=operator())
        click.echo(f"Reenviado: {letter.event_type} {letter.event_id} entregado a {letter.handler}.")

    run(with_container(settings, work, telegram=True))


@events.command(help="Cuántos eventos espera cada manejador (los que aún no se han entregado).")
def pending() -> None:
    """Show each handler's backlog."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        bus = container.event_routes()
        backlog = await bus.backlog()
        if not any(backlog.values()):
            click.echo("Ningún evento pendiente.")
            return
        declared = [route.name for route in bus.routes]
        for name in [
            *declared,
            *sorted(set(backlog) - set(declared)),
        ]:  # then the bus's own (Redis: to publish)
            count = backlog.get(name, 0)
            if count:
                click.echo(f"{name:<34} {count:>8}")

    run(with_container(settings, work))
