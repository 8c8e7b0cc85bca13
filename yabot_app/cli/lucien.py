"""``yabot lucien``: messages in Lucien's voice to a fan, now or at a time; cancelling them; the record."""

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final

import click

from yabot_app.cli.params import USER_ID, Delay, Moment, user_id_argument
from yabot_app.cli.runtime import load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.lucien import LucienModule
from yabot_app.terminal import printable
from yabot_core.kernel import UserId
from yabot_core.lucien import LucienMessage, MessageState

if TYPE_CHECKING:
    from yabot_app.container import Container

_STATES: Final = {
    MessageState.SCHEDULED: "pendiente",
    MessageState.SENDING: "enviándose",
    MessageState.SENT: "enviado",
    MessageState.SKIPPED: "descartado (usuario inalcanzable)",
    MessageState.CANCELLED: "cancelado",
}


@click.group(
    "lucien",
    cls=SpanishGroup,
    help="Mensajes de Lucien a un usuario: ahora o a una hora, cancelarlos, consultarlos.",
)
def lucien_group() -> None:
    """Lucien's commands."""


@lucien_group.command(
    help="Programa un mensaje de Lucien (puede usar { $nombre }, { $saldo }, { $vip_hasta } y { $vip_dias })."
)
@user_id_argument
@click.argument("text", metavar="TEXTO", type=NonBlankText("El mensaje no puede estar vacío."))
@click.option(
    "--in", "delay", metavar="DEMORA", type=Delay(), default=None, help="Dentro de cuánto: 10m, 2h…"
)
@click.option(
    "--at", "moment", metavar="MOMENTO", type=Moment(), default=None, help="A qué hora, en ISO 8601."
)
def send(user_id: int, text: str, delay: timedelta | None, moment: datetime | None) -> None:
    """Schedule a message; without --in or --at it leaves at once (through the serving process)."""
    settings = load_settings()
    memory_refused(settings)
    if delay is not None and moment is not None:
        raise click.UsageError("indique --in o --at, no ambas.")

    async def work(container: "Container") -> None:
        lucien = container.modules().get(LucienModule).lucien
        at = moment or (container.clock().now() + delay if delay is not None else None)
        message = await lucien.schedule_text(UserId(user_id), text, at=at)
        when = local_time(message.due_at, settings.zone, seconds=True)
        click.echo(f"Mensaje {message.key} programado para {when} ({settings.timezone}).")
        click.echo(f"Cancélelo antes con: yabot lucien cancel {message.key}")

    run(with_container(settings, work))


@lucien_group.command(help="Cancela un mensaje programado que aún no ha salido.")
@click.argument("key", metavar="ID", type=NonBlankText("El id no puede estar vacío."))
def cancel(key: str) -> None:
    """Cancel a scheduled message."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        message = await container.modules().get(LucienModule).lucien.cancel(key)
        click.echo(f"Mensaje {message.key} cancelado: no se enviará.")

    run(with_container(settings, work))


@lucien_group.command("list", help="Lista los mensajes de Lucien, del más reciente al más antiguo.")
@click.option("--user", "user_id", metavar="ID_USUARIO", type=USER_ID)
@click.option(
    "--limit", default=20, show_default=True, type=PositiveInt("El límite", 1000), help="De 1 a 1000."
)
def list_messages(user_id: int | None, limit: int) -> None:
    """Show the record of Lucien's messages."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        lucien = container.modules().get(LucienModule).lucien
        messages = await lucien.recent(user_id=None if user_id is None else UserId(user_id), limit=limit)
        if not messages:
            click.echo("Lucien no tiene mensajes programados ni enviados.")
            return
        for message in messages:
            click.echo(_line(message, settings.zone))

    run(with_container(settings, work))


def _line(message: LucienMessage, zone: tzinfo) -> str:
    when = local_time(message.due_at, zone)
    what = message.text if message.text is not None else f"[{message.message_id}]"
    return (
        f"{message.key}  {when}  {message.user_id:>12}  {_STATES[message.state]:<12}  {printable(what[:60])}"
    )
