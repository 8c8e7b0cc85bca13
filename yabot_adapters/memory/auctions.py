"""Auctions and bids in memory: the auctions module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.auctions import Auction, AuctionQueries, AuctionRepository, AuctionStatus, Bid
from yabot_core.kernel import ConcurrentUpdateError


@dataclass
class AuctionState:
    """Committed auctions by id, and bids by (auction, request key)."""

    auctions: dict[str, Auction] = field(default_factory=dict)
    bids: dict[tuple[str, str], Bid] = field(default_factory=dict)


class InMemoryAuctionRepository(AuctionRepository):
    """The auctions of one in-memory unit of work: writes are staged."""

    def __init__(self, state: AuctionState) -> None:
        self._auctions = Overlay(state.auctions)
        self._bids = Overlay(state.bids)

    async def get(self, auction_id: str) -> Auction | None:
        return self._auctions.get(auction_id)

    async def save(self, auction: Auction) -> None:
        current = self._auctions.get(auction.auction_id)
        if (current.version if current else 0) != auction.version - 1:
            raise ConcurrentUpdateError(detail={"auction_id": auction.auction_id})
        self._auctions.stage(auction.auction_id, auction)

    async def bid_by_key(self, auction_id: str, request_key: str) -> Bid | None:
        return self._bids.get((auction_id, request_key))

    async def add_bid(self, bid: Bid) -> None:
        key = (bid.auction_id, bid.request_key)
        if self._bids.get(key) is not None:
            raise ConcurrentUpdateError(detail={"auction_id": bid.auction_id})
        self._bids.stage(key, bid)

    def apply(self) -> None:
        self._auctions.apply()
        self._bids.apply()


class InMemoryAuctionQueries(AuctionQueries):
    """Auctions from committed state."""

    def __init__(self, state: AuctionState) -> None:
        self._state = state

    async def get(self, auction_id: str) -> Auction | None:
        return self._state.auctions.get(auction_id)

    async def list(self, *, status: AuctionStatus | None = None, limit: int = 50) -> Sequence[Auction]:
        chosen = [a for a in self._state.auctions.values() if status is None or a.status is status]
        return sorted(chosen, key=lambda a: (a.ends_at, a.auction_id))[:limit]

    async def bids(self, auction_id: str, *, limit: int = 50) -> Sequence[Bid]:
        chosen = [bid for (auction, _), bid in self._state.bids.items() if auction == auction_id]
        return sorted(chosen, key=lambda bid: (-bid.amount, bid.placed_at))[:limit]


SLICE = MemorySlice(
    name="auctions",
    state=AuctionState,
    repository=InMemoryAuctionRepository,
    queries={"auction_queries": InMemoryAuctionQueries},
)
