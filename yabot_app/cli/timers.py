"""``yabot timers``: what is scheduled to happen, and when."""

from typing import TYPE_CHECKING

import click

from yabot_app.cli.runtime import load_settings, local_time, run, with_container
from yabot_app.cli.spanish import PositiveInt, SpanishGroup
from yabot_app.terminal import printable

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group(cls=SpanishGroup, help="Avisos programados: lo que ocurrirá y cuándo.")
def timers() -> None:
    """Timer commands."""


@timers.command("list", help="Lista los avisos pendientes, del más próximo al más lejano.")
@click.option("--kind", metavar="TIPO", default=None, help="Solo los de un tipo (p. ej. lucien.message).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=PositiveInt("El límite", 1000),
    help="Avisos a mostrar, de 1 a 1000.",
)
def list_timers(kind: str | None, limit: int) -> None:
    """List pending timers."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        pending = await container.storage().timer_store.pending(limit=limit, kind=kind)
        if not pending:
            click.echo("No hay avisos pendientes.")
            return
        click.echo(f"{'VENCE':<16}  {'TIPO':<20}  {'USUARIO':>12}  CLAVE")
        for timer in pending:
            when = local_time(timer.due_at, settings.zone)
            user = "" if timer.user_id is None else str(timer.user_id)
            held = "  (disparándose)" if timer.claim else ""
            click.echo(f"{when:<16}  {timer.kind:<20}  {user:>12}  {printable(timer.key)}{held}")

    run(with_container(settings, work))
