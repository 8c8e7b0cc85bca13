"""``yabot broadcast``: send a message to an audience (the serving process sends it), follow it, cancel it."""

import asyncio
import time
from datetime import datetime
from typing import TYPE_CHECKING, Final

import click

from yabot_app.cli.params import USER_ID, Moment, operator
from yabot_app.cli.runtime import load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.broadcasts import BroadcastsModule
from yabot_core.broadcasts import CATEGORIES, AudienceKind, BroadcastProgress, Broadcasts, audience_of

if TYPE_CHECKING:
    from yabot_app.container import Container

FOLLOW_EVERY: Final = 1.0


@click.group(
    "broadcast",
    cls=SpanishGroup,
    help="Difusiones: un mensaje a una audiencia (todos, VIP, gratuitos, por vencer o una lista).",
)
def broadcast_group() -> None:
    """Broadcast commands."""


@broadcast_group.command(
    help=(
        "Crea una difusión; la envía el proceso `yabot run` (a unos 29 mensajes por segundo). "
        "Con --follow muestra el progreso hasta el final."
    )
)
@click.argument("audience", metavar="AUDIENCIA", type=click.Choice([str(kind) for kind in AudienceKind]))
@click.argument("text", metavar="TEXTO", type=NonBlankText("El mensaje no puede estar vacío."))
@click.option(
    "--category",
    metavar="CATEGORIA",
    type=click.Choice(sorted(CATEGORIES)),
    default="novedades",
    show_default=True,
    help="Los fans pueden darse de baja de cada categoría (/notificaciones).",
)
@click.option(
    "--user",
    "user_ids",
    metavar="ID_USUARIO",
    type=USER_ID,
    multiple=True,
    help="Para la audiencia «lista»: cada fan (repetible).",
)
@click.option(
    "--days",
    default=3,
    show_default=True,
    type=PositiveInt("Los días", 60),
    help="Para «por_vencer»: VIP que terminan dentro de tantos días.",
)
@click.option(
    "--at", "moment", metavar="MOMENTO", type=Moment(), default=None, help="A qué hora, en ISO 8601."
)
@click.option("--protect", is_flag=True, help="Sin reenviar ni guardar (a los VIP, siempre).")
@click.option("--follow", is_flag=True, help="Mostrar el progreso hasta que termine.")
def send(  # noqa: PLR0917  (click passes each option by name)
    audience: str,
    text: str,
    category: str,
    user_ids: tuple[int, ...],
    days: int,
    moment: datetime | None,
    protect: bool,
    follow: bool,
) -> None:
    """Create a broadcast; the serving process sends it."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        chosen = audience_of(audience, user_ids=user_ids, days=days)  # a Spanish error, through run()
        service = container.modules().get(BroadcastsModule).broadcasts
        created = await service.create(
            text, chosen, category=category, at=moment, protect=protect, actor=operator()
        )
        when = local_time(created.start_at, settings.zone, seconds=True)
        click.echo(f"Difusión {created.broadcast_id} a «{audience}» desde {when}.")
        click.echo(f"Siga su progreso con: yabot broadcast status {created.broadcast_id} --follow")
        if follow:
            await _follow(service, created.broadcast_id)

    run(with_container(settings, work))


@broadcast_group.command(help="Muestra el progreso de una difusión (con --follow, hasta que termine).")
@click.argument("broadcast_id", metavar="ID", type=NonBlankText("El id no puede estar vacío."))
@click.option("--follow", is_flag=True, help="Seguir mostrando el progreso hasta que termine.")
def status(broadcast_id: str, follow: bool) -> None:
    """Show a broadcast's counts."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        service = container.modules().get(BroadcastsModule).broadcasts
        if follow:
            await _follow(service, broadcast_id)
        else:
            click.echo(describe(await service.progress(broadcast_id)))

    run(with_container(settings, work))


@broadcast_group.command(help="Detiene una difusión: nadie más la recibe.")
@click.argument("broadcast_id", metavar="ID", type=NonBlankText("El id no puede estar vacío."))
def cancel(broadcast_id: str) -> None:
    """Cancel a broadcast."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        service = container.modules().get(BroadcastsModule).broadcasts
        await service.cancel(broadcast_id, actor=operator())
        click.echo(f"Difusión {broadcast_id} cancelada: nadie más la recibirá.")
        click.echo(describe(await service.progress(broadcast_id)))

    run(with_container(settings, work))


@broadcast_group.command("list", help="Lista las difusiones, las más recientes primero.")
@click.option(
    "--limit", default=20, show_default=True, type=PositiveInt("El límite", 1000), help="De 1 a 1000."
)
def list_broadcasts(limit: int) -> None:
    """Show broadcasts."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        service = container.modules().get(BroadcastsModule).broadcasts
        found = await service.listing(limit=limit)
        if not found:
            click.echo("No hay difusiones.")
        for item in found:
            when = local_time(item.start_at, settings.zone)
            click.echo(
                f"{item.broadcast_id}  {when}  {item.audience.kind:<10} {item.category:<13} {item.state}"
            )

    run(with_container(settings, work))


def describe(progress: BroadcastProgress) -> str:
    """One line: the bar, the state and the counts."""
    return (
        f"{progress.bar()}  {progress.state}: enviados {progress.sent}, bloqueados {progress.blocked}, "
        f"omitidos {progress.skipped}, fallidos {progress.failed}, inciertos {progress.uncertain}"
    )


async def _follow(service: Broadcasts, broadcast_id: str) -> None:
    last = ""
    started = time.monotonic()
    while True:
        progress = await service.progress(broadcast_id)
        line = describe(progress)
        if line != last:
            click.echo(line)
            last = line
        if not progress.state.active:
            elapsed = time.monotonic() - started
            if progress.sent and elapsed > 0:
                click.echo(f"Terminada en {elapsed:.1f} s.")
            return
        await asyncio.sleep(FOLLOW_EVERY)
