"""Auctions and bids: what an auction sells, when, for how much, and who leads it."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.inventory import ItemId
from yabot_core.kernel import UserId
from yabot_core.wallet import MAX_AMOUNT, LedgerReason

AUCTION: Final = LedgerReason.define("auction", "Subasta ganada")
"""What a winning bid's captured hold pays for; also the mochila's reason for the won item."""

CLOSE_TIMER: Final = "auction.close"
"""The kind of the durable timer that closes an auction at its end."""

MAX_ANTI_SNIPING_MINUTES: Final = 24 * 60


def close_timer_key(auction_id: str) -> str:
    """The key of an auction's closing timer (one per auction: rescheduling replaces it)."""
    return f"auction:{auction_id}:close"


class AuctionStatus(StrEnum):
    """Where an auction stands in storage: taking bids (until its end), closed, or cancelled."""

    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AuctionPhase(StrEnum):
    """Where an auction stands at a moment: ``ended`` is open in storage, past its end, not yet closed."""

    UPCOMING = "upcoming"
    OPEN = "open"
    ENDED = "ended"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Auction(BaseModel):
    """One item of the catalog on sale to the highest bid between ``starts_at`` and ``ends_at``.

    Only the leader's besitos are held at any time: an outbid fan's hold is released by the bid that beat
    them. ``version`` moves by one with each save, so storage refuses a stale write. ``ends_at`` moves
    when anti-sniping is on (``anti_sniping_minutes`` > 0) and a bid comes in the last minutes.
    """

    model_config = ConfigDict(frozen=True)

    auction_id: str
    item_id: ItemId
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    minimum_bid: int = Field(ge=1, le=MAX_AMOUNT)
    increment: int = Field(ge=1, le=MAX_AMOUNT)
    anti_sniping_minutes: int = Field(default=0, ge=0, le=MAX_ANTI_SNIPING_MINUTES)
    status: AuctionStatus = AuctionStatus.OPEN
    leader_id: UserId | None = None
    leading_bid: int = 0
    leading_hold: str | None = None
    bids: int = 0
    winner_id: UserId | None = None
    """Set when the auction closed with a leader who received the item (``None`` otherwise)."""
    created_at: AwareDatetime
    settled_at: AwareDatetime | None = None
    version: int = Field(default=1, ge=1)

    @property
    def next_minimum(self) -> int:
        """The lowest bid accepted now: the minimum bid, or the leading bid plus the increment."""
        return self.minimum_bid if self.leader_id is None else self.leading_bid + self.increment

    @property
    def anti_sniping(self) -> timedelta:
        """The last stretch in which a bid extends the end, and by how much (zero: off)."""
        return timedelta(minutes=self.anti_sniping_minutes)

    def phase(self, now: datetime) -> AuctionPhase:
        """The auction's phase at ``now``."""
        if self.status is AuctionStatus.CLOSED:
            return AuctionPhase.CLOSED
        if self.status is AuctionStatus.CANCELLED:
            return AuctionPhase.CANCELLED
        if now < self.starts_at:
            return AuctionPhase.UPCOMING
        return AuctionPhase.OPEN if now < self.ends_at else AuctionPhase.ENDED


class Bid(BaseModel):
    """One accepted bid. ``request_key`` names the tap or request that made it: the same one bids once."""

    model_config = ConfigDict(frozen=True)

    auction_id: str
    request_key: str
    user_id: UserId
    amount: int = Field(ge=1)
    hold_id: str
    placed_at: AwareDatetime
    previous_leader: UserId | None = None
    previous_amount: int = 0
    ends_at: AwareDatetime
    """The auction's end right after this bid (later than before if it extended it)."""


class BidOutcome(BaseModel):
    """What a bid led to: the bid, the auction after it, and whether this call placed it."""

    model_config = ConfigDict(frozen=True)

    bid: Bid
    auction: Auction
    fresh: bool
    """``False`` when the same request had already placed this bid (nothing changed)."""
