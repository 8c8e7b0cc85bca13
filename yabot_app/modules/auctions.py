"""The auctions plugged in: the close on the durable timers, the notices, /subastas, HTTP, the CLI."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.wallet import WalletModule
from yabot_core import auctions
from yabot_core.auctions import (
    AUCTIONS_READ,
    CLOSE_TIMER,
    AuctionClosed,
    AuctionNotices,
    Auctions,
    BidPlaced,
    LucienOutbidNotifier,
    OutbidNotifier,
)
from yabot_core.kernel import TimerFired, timer_route

if TYPE_CHECKING:
    import click

NOTICE_MAX_AGE = timedelta(hours=1)
"""An outbid notice an hour late may send a fan to an auction long closed: dropped instead."""


@dataclass(frozen=True, slots=True)
class AuctionsModule:
    """The auctions module's services."""

    auctions: Auctions
    notices: AuctionNotices


class AuctionsPlug(ModulePlug[AuctionsModule]):
    """Auctions of catalog items, bids held in escrow, one close on the timers."""

    manifest = auctions.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> AuctionsModule:
        """The service over storage; the outbid notice with its button when the bot runs here."""
        storage = kernel.storage
        mochila = modules.get(InventoryModule).mochila
        lucien = modules.get(LucienModule).lucien
        service = Auctions(
            storage.transactions,
            storage.auction_queries,
            modules.get(WalletModule).wallet,
            mochila,
            clock=kernel.clock,
            ids=kernel.ids,
            audit=modules.get(AuditModule).log,
        )
        notifier: OutbidNotifier = LucienOutbidNotifier(lucien)
        if kernel.telegram:
            from yabot_adapters.telegram.outbid import TelegramOutbidNotifier  # noqa: PLC0415  (aiogram only when on)

            notifier = TelegramOutbidNotifier(kernel.bot, kernel.outgoing, kernel.phrasebook)
        return AuctionsModule(auctions=service, notices=AuctionNotices(lucien, notifier, mochila.catalog))

    def handlers(self, services: AuctionsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """The close (no Telegram needed: it moves besitos and items); the notices."""
        yield HandlerSpec(
            TimerFired, "auctions.close", services.auctions.on_close_due, route=timer_route(CLOSE_TIMER)
        )
        yield HandlerSpec(
            BidPlaced,
            "auctions.outbid",
            services.notices.on_bid_placed,
            max_age=NOTICE_MAX_AGE,
            needs_telegram=True,
        )
        yield HandlerSpec(
            AuctionClosed, "auctions.won", services.notices.on_auction_closed, needs_telegram=True
        )

    def bot(self, services: AuctionsModule, kernel: Kernel) -> BotPart:
        """/subastas and /pujar."""
        from yabot_adapters.telegram.routers import auctions as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("subastas", "auctions-command-subastas")],
            data={"auctions": services.auctions},
        )

    def api(self, services: AuctionsModule) -> Sequence[Any]:
        """``GET /auctions``; ``/admin/auctions`` (list, create, cancel)."""
        from yabot_adapters.http.controllers.auctions import auctions_controllers  # noqa: PLC0415

        return auctions_controllers(services.auctions)

    def scopes(self) -> Mapping[str, str]:
        """Reading the auctions' cards with a key."""
        return {AUCTIONS_READ: "Leer las subastas abiertas (las fichas que ven los fans)."}

    def commands(self) -> Sequence["click.Command"]:
        """``yabot subastas create|list|cancel``."""
        from yabot_app.cli.auctions import auctions_group  # noqa: PLC0415  (the CLI imports the registry)

        return [auctions_group]


PLUG = AuctionsPlug()
