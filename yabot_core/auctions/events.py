"""Events the auctions publish: Lucien tells outbid fans and winners; missions and achievements may count."""

from typing import ClassVar

from pydantic import AwareDatetime

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId


class AuctionCreated(Event):
    """An admin put an item up for auction."""

    event_type: ClassVar[str] = "auction.created"

    auction_id: str
    item_id: ItemId
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    minimum_bid: int


class BidPlaced(Event):
    """A fan leads an auction; ``previous_leader`` (if any, and not the same fan) was outbid and refunded."""

    event_type: ClassVar[str] = "auction.bid_placed"

    auction_id: str
    item_id: ItemId
    user_id: UserId
    amount: int
    next_minimum: int
    previous_leader: UserId | None = None
    previous_amount: int = 0
    ends_at: AwareDatetime
    extended: bool = False


class AuctionClosed(Event):
    """An auction reached its end: ``winner_id`` paid ``amount`` and got the item (``None``: no winner)."""

    event_type: ClassVar[str] = "auction.closed"

    auction_id: str
    item_id: ItemId
    winner_id: UserId | None = None
    amount: int = 0


class AuctionCancelled(Event):
    """An admin cancelled an auction; the leader (if any) got their besitos back."""

    event_type: ClassVar[str] = "auction.cancelled"

    auction_id: str
    item_id: ItemId
    refunded_user: UserId | None = None
    refunded_amount: int = 0
