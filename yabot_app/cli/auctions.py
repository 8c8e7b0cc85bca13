"""``yabot subastas``: create, list and cancel auctions from the shell."""

from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import Delay, Moment, operator
from yabot_app.cli.runtime import fail, load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.auctions import AuctionsModule
from yabot_app.terminal import printable
from yabot_core.auctions import MAX_ANTI_SNIPING_MINUTES, Auction, Auctions, AuctionStatus
from yabot_core.wallet import MAX_AMOUNT

if TYPE_CHECKING:
    from yabot_app.container import Container

_STATUS_WORDS = {
    "abiertas": AuctionStatus.OPEN,
    "cerradas": AuctionStatus.CLOSED,
    "canceladas": AuctionStatus.CANCELLED,
}
_PHASES = {
    "upcoming": "aún no empieza",
    "open": "abierta",
    "ended": "terminada, cerrándose",
    "closed": "cerrada",
    "cancelled": "cancelada",
}


@click.group("subastas", cls=SpanishGroup, help="Subastas: crearlas, verlas y cancelarlas.")
def auctions_group() -> None:
    """Auctions commands."""


@auctions_group.command(help="Crea una subasta de un objeto del catálogo; su cierre queda programado.")
@click.argument("item_id", metavar="ID_OBJETO", type=NonBlankText("El id del objeto no puede estar vacío."))
@click.option("--fin", "ends_at", type=Moment(), default=None, help="Cuándo termina (ISO 8601 con zona).")
@click.option("--dura", "lasts", type=Delay(), default=None, help="O cuánto dura desde ahora (p. ej. 2h).")
@click.option("--inicio", "starts_at", type=Moment(), default=None, help="Cuándo empieza (por omisión, ya).")
@click.option(
    "--minima", "minimum", type=PositiveInt("La puja mínima", MAX_AMOUNT), required=True, help="Puja mínima."
)
@click.option(
    "--incremento", type=PositiveInt("El incremento", MAX_AMOUNT), default=1, help="Subida mínima por puja."
)
@click.option(
    "--antifrancotirador",
    "anti",
    type=PositiveInt("Los minutos antifrancotirador", MAX_ANTI_SNIPING_MINUTES, minimum=0),
    default=0,
    help="Minutos: una puja en los últimos N minutos retrasa el final N minutos (0: desactivado).",
)
def create(
    *,
    item_id: str,
    ends_at: datetime | None,
    lasts: timedelta | None,
    starts_at: datetime | None,
    minimum: int,
    incremento: int,
    anti: int,
) -> None:
    """Create an auction."""
    if (ends_at is None) == (lasts is None):
        fail("Indique el final con --fin o con --dura (uno de los dos).")
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        auctions = container.modules().get(AuctionsModule).auctions
        end = ends_at if ends_at is not None else auctions.now() + (lasts or timedelta(0))
        auction = await auctions.create(
            item_id,
            starts_at=starts_at,
            ends_at=end,
            minimum_bid=minimum,
            increment=incremento,
            anti_sniping_minutes=anti,
            actor=operator(),
        )
        click.echo(f"Subasta {auction.auction_id} creada.")
        click.echo(_line(auctions, auction, settings.zone))

    run(with_container(settings, work))


@auctions_group.command("list", help="Muestra las subastas (todas, o abiertas, cerradas o canceladas).")
@click.option(
    "--estado", type=click.Choice(sorted(_STATUS_WORDS)), default=None, help="Solo las de ese estado."
)
def list_auctions(estado: str | None) -> None:
    """Print the auctions, the soonest to end first."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        auctions = container.modules().get(AuctionsModule).auctions
        listed = await auctions.list(status=None if estado is None else _STATUS_WORDS[estado], limit=100)
        if not listed:
            click.echo("No hay subastas.")
            return
        for auction in listed:
            click.echo(_line(auctions, auction, settings.zone))

    run(with_container(settings, work))


@auctions_group.command(help="Cancela una subasta y devuelve sus besitos al que iba ganando.")
@click.argument(
    "auction_id", metavar="ID_SUBASTA", type=NonBlankText("El id de la subasta no puede estar vacío.")
)
def cancel(auction_id: str) -> None:
    """Cancel an auction."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        auction = await container.modules().get(AuctionsModule).auctions.cancel(auction_id, actor=operator())
        refunded = (
            f"; {auction.leading_bid} besitos devueltos al usuario {auction.leader_id}"
            if auction.leader_id is not None
            else ""
        )
        click.echo(f"Subasta {auction.auction_id} cancelada{refunded}.")

    run(with_container(settings, work))


def _line(auctions: Auctions, auction: Auction, zone: tzinfo) -> str:
    item = printable(auctions.mochila.catalog.name_of(auction.item_id))
    phase = _PHASES[auction.phase(auctions.now()).value]
    lead = (
        f"puja actual {auction.leading_bid} (usuario {auction.leader_id}, {auction.bids} pujas)"
        if auction.leader_id is not None
        else f"sin pujas, mínima {auction.minimum_bid}"
    )
    winner = f", ganador {auction.winner_id}" if auction.winner_id is not None else ""
    ends = local_time(auction.ends_at, zone)
    return f"  {auction.auction_id}: «{item}» {phase}, {lead}{winner}; termina {ends}"
