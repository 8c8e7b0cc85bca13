"""Telling fans about their auctions: the outbid at once (with a button to bid again), the winner after."""

from typing import Final, Protocol

from yabot_core.auctions.events import AuctionClosed, BidPlaced
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import UserId
from yabot_core.lucien import Lucien

WON: Final = "auctions-won"


class OutbidNotifier(Protocol):
    """Tells a fan they were outbid, with a button to bid again (the Telegram adapter implements it).

    Raises ``UnavailableError`` when Telegram is away (the bus retries); a fan who blocked the bot is
    skipped silently.
    """

    async def outbid(self, user_id: UserId, *, auction_id: str, item: str, amount: int, minimum: int) -> None:
        """Send the notice: the item's name, the bid that beat them, the next minimum."""
        ...


class AuctionNotices:
    """Reacts to the auctions' events with Lucien's messages (at least once, like every notice)."""

    def __init__(self, lucien: Lucien, notifier: OutbidNotifier, catalog: ItemCatalog) -> None:
        self._lucien = lucien
        self._notifier = notifier
        self._catalog = catalog

    async def on_bid_placed(self, event: BidPlaced) -> None:
        """Tell the fan who led before (if another fan) that they were outbid and refunded."""
        if event.previous_leader is None or event.previous_leader == event.user_id:
            return
        await self._notifier.outbid(
            event.previous_leader,
            auction_id=event.auction_id,
            item=self._catalog.name_of(event.item_id),
            amount=event.amount,
            minimum=event.next_minimum,
        )

    async def on_auction_closed(self, event: AuctionClosed) -> None:
        """Congratulate the winner."""
        if event.winner_id is None:
            return
        await self._lucien.say(
            event.winner_id, WON, objeto=self._catalog.name_of(event.item_id), cantidad=event.amount
        )
