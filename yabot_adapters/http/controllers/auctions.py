"""Auctions over HTTP: the cards of the auctions taking bids, and the admins' create, list and cancel.

Its request and response schemas live here too: they belong to the auctions module, which owns this file.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal, Self, TypeAlias

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from yabot_adapters.http.auth import ADMIN_ONLY, Access, protected
from yabot_adapters.http.auth.principals import KeyHolder, Principal
from yabot_adapters.http.errors import API_ERROR_RESPONSES
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.auctions import AUCTIONS_READ, Auction, Auctions, AuctionStatus
from yabot_core.audit import Actor

CARDS: Final = Access(scope=AUCTIONS_READ, any_fan=True)
"""The cards are for every fan (a Mini App shows them), and for keys with ``auctions:read``."""

AuctionIdInPath: TypeAlias = Annotated[str, PathParameter(max_length=64, description="El id de la subasta.")]

AUCTION_NOT_FOUND: Final = error_response(
    "No existe esa subasta.",
    ErrorBody(
        "subasta_no_encontrada",
        "No existe ninguna subasta con el id 0193b2c4.",
        {"auction_id": "0193b2c4"},
    ),
)
AUCTION_SETTLED: Final = error_response(
    "La subasta ya cerró: su ganador pagó y recibió el objeto.",
    ErrorBody(
        "subasta_ya_resuelta",
        "La subasta 0193b2c4 ya cerró.",
        {"auction_id": "0193b2c4", "status": "closed"},
    ),
)


@dataclass(frozen=True, slots=True)
class AuctionCard:
    """An auction as fans see it: the item, the current bid, the next minimum, and the end."""

    auction_id: str
    item_id: str
    item_name: str
    phase: Literal["upcoming", "open", "ended", "closed", "cancelled"]
    starts_at: datetime
    ends_at: datetime
    minimum_bid: int
    increment: int
    current_bid: int | None
    next_minimum: int
    bids: int
    anti_sniping_minutes: int

    @classmethod
    def of(cls, auction: Auction, item_name: str, now: datetime) -> Self:
        """Project an auction onto what the API publishes (never who bids: that is the fans' own)."""
        return cls(
            auction_id=auction.auction_id,
            item_id=auction.item_id,
            item_name=item_name,
            phase=auction.phase(now).value,
            starts_at=auction.starts_at,
            ends_at=auction.ends_at,
            minimum_bid=auction.minimum_bid,
            increment=auction.increment,
            current_bid=auction.leading_bid if auction.leader_id is not None else None,
            next_minimum=auction.next_minimum,
            bids=auction.bids,
            anti_sniping_minutes=auction.anti_sniping_minutes,
        )


@dataclass(frozen=True, slots=True)
class AdminAuctionBody(AuctionCard):
    """An auction as admins see it: the card, plus its leader and winner."""

    leader_id: int | None = None
    winner_id: int | None = None
    settled_at: datetime | None = None

    @classmethod
    def full(cls, auction: Auction, item_name: str, now: datetime) -> "AdminAuctionBody":
        """The card and what only admins read."""
        card = AuctionCard.of(auction, item_name, now)
        return cls(
            **{name: getattr(card, name) for name in AuctionCard.__dataclass_fields__},
            leader_id=auction.leader_id,
            winner_id=auction.winner_id,
            settled_at=auction.settled_at,
        )


@dataclass(frozen=True, slots=True)
class AuctionsBody:
    """A list of auction cards, the soonest to end first."""

    auctions: list[AuctionCard]


@dataclass(frozen=True, slots=True)
class AdminAuctionsBody:
    """A list of auctions as admins see them, the soonest to end first."""

    auctions: list[AdminAuctionBody]


@dataclass(frozen=True, slots=True)
class CreateAuctionRequest:
    """A new auction: an item of the catalog, its end (and start), the minimum bid and the increment.

    ``anti_sniping_minutes`` > 0: a bid in the last N minutes moves the end N minutes later.
    """

    item_id: str
    ends_at: datetime
    minimum_bid: int
    increment: int = 1
    starts_at: datetime | None = None
    anti_sniping_minutes: int = 0


def auctions_controllers(auctions: Auctions) -> list[type[Controller]]:
    """The fans' cards and the admins' controller over ``auctions`` (bound here once)."""

    def name(auction: Auction) -> str:
        return auctions.mochila.catalog.name_of(auction.item_id)

    class AuctionsController(Controller):
        """The auctions taking bids now."""

        path = "/auctions"
        tags = ["subastas"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(CARDS)
        @get(
            "/",
            summary="Listar las subastas abiertas",
            description=(
                "Las subastas que admiten pujas ahora, las que terminan antes primero: el objeto, la puja "
                "actual, la mínima siguiente y el final (que el antifrancotirador puede retrasar)."
            ),
            responses=API_ERROR_RESPONSES,
        )
        async def open_auctions(self) -> AuctionsBody:
            """Cards of the auctions open now (the 100 soonest to end: a creator runs a handful at once)."""
            now = auctions.now()
            shown = await auctions.open_now(limit=100)
            return AuctionsBody(auctions=[AuctionCard.of(a, name(a), now) for a in shown])

    class AdminAuctionsController(Controller):
        """The admins' auctions: create, list, cancel."""

        path = "/admin/auctions"
        tags = ["subastas"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ADMIN_ONLY)
        @get(
            "/",
            summary="Listar las subastas",
            description="Todas las subastas (o las de `status`), las que terminan antes primero.",
            responses=API_ERROR_RESPONSES,
        )
        async def list_auctions(
            self,
            status: Annotated[
                Literal["open", "closed", "cancelled"] | None,
                QueryParameter(description="Solo las abiertas, cerradas o canceladas."),
            ] = None,
            limit: Annotated[int, QueryParameter(ge=1, le=100, description="Cuántas como máximo.")] = 50,
        ) -> AdminAuctionsBody:
            """Every auction, or those of one status."""
            now = auctions.now()
            chosen = None if status is None else AuctionStatus(status)
            listed = await auctions.list(status=chosen, limit=limit)
            return AdminAuctionsBody(auctions=[AdminAuctionBody.full(a, name(a), now) for a in listed])

        @protected(ADMIN_ONLY)
        @post(
            "/",
            status_code=201,
            summary="Crear una subasta",
            description=(
                "Subasta un objeto del catálogo. Las horas llevan zona horaria; sin `starts_at` empieza ya. "
                "Con `anti_sniping_minutes` > 0, una puja en los últimos N minutos retrasa el final N "
                "minutos. El cierre queda programado: lo hace un solo proceso, aunque se reinicie."
            ),
            responses=API_ERROR_RESPONSES,
        )
        async def create(
            self, request: Request[Principal, Any, Any], data: JSONBody[CreateAuctionRequest]
        ) -> AdminAuctionBody:
            """Create the auction and schedule its close."""
            auction = await auctions.create(
                data.item_id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                minimum_bid=data.minimum_bid,
                increment=data.increment,
                anti_sniping_minutes=data.anti_sniping_minutes,
                actor=actor_of(request),
            )
            return AdminAuctionBody.full(auction, name(auction), auctions.now())

        @protected(ADMIN_ONLY)
        @post(
            "/{auction_id:str}/cancel",
            status_code=200,
            summary="Cancelar una subasta",
            description=(
                "Cancela la subasta y devuelve sus besitos al que iba ganando. Cancelar otra vez no cambia "
                "nada; una subasta ya cerrada no se puede cancelar (409)."
            ),
            responses={**API_ERROR_RESPONSES, 404: AUCTION_NOT_FOUND, 409: AUCTION_SETTLED},
        )
        async def cancel(
            self, request: Request[Principal, Any, Any], auction_id: AuctionIdInPath
        ) -> AdminAuctionBody:
            """Cancel it and release the leader's besitos."""
            auction = await auctions.cancel(auction_id, actor=actor_of(request))
            return AdminAuctionBody.full(auction, name(auction), auctions.now())

    return [AuctionsController, AdminAuctionsController]


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    """Who the audit log names: the API key's name (admin routes admit keys only)."""
    principal = request.user
    return Actor.api_key(principal.key.name) if isinstance(principal, KeyHolder) else Actor.system()
