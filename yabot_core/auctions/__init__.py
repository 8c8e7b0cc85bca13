"""Subastas: catalog items sold to the highest bid, bids held in escrow, closed once on a durable timer.

Public API; import from here only.
"""

from yabot_core.auctions.errors import (
    AuctionAlreadySettledError,
    AuctionNotFoundError,
    AuctionNotOpenError,
    BidTooLowError,
)
from yabot_core.auctions.events import AuctionCancelled, AuctionClosed, AuctionCreated, BidPlaced
from yabot_core.auctions.fallback import OUTBID_PLAIN, LucienOutbidNotifier
from yabot_core.auctions.manifest import AUCTIONS_READ, MANIFEST
from yabot_core.auctions.models import (
    AUCTION,
    CLOSE_TIMER,
    MAX_ANTI_SNIPING_MINUTES,
    Auction,
    AuctionPhase,
    AuctionStatus,
    Bid,
    BidOutcome,
    close_timer_key,
)
from yabot_core.auctions.notices import WON, AuctionNotices, OutbidNotifier
from yabot_core.auctions.ports import AuctionQueries, AuctionRepository, AuctionStorage, AuctionsUnitOfWork
from yabot_core.auctions.service import MAX_REQUEST_KEY, Auctions

__all__ = [
    "AUCTION",
    "AUCTIONS_READ",
    "CLOSE_TIMER",
    "MANIFEST",
    "MAX_ANTI_SNIPING_MINUTES",
    "MAX_REQUEST_KEY",
    "OUTBID_PLAIN",
    "WON",
    "Auction",
    "AuctionAlreadySettledError",
    "AuctionCancelled",
    "AuctionClosed",
    "AuctionCreated",
    "AuctionNotFoundError",
    "AuctionNotOpenError",
    "AuctionNotices",
    "AuctionPhase",
    "AuctionQueries",
    "AuctionRepository",
    "AuctionStatus",
    "AuctionStorage",
    "Auctions",
    "AuctionsUnitOfWork",
    "Bid",
    "BidOutcome",
    "BidPlaced",
    "BidTooLowError",
    "LucienOutbidNotifier",
    "OutbidNotifier",
    "close_timer_key",
]
