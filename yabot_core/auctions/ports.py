"""What the auctions need from storage: auctions and bids in a unit of work, and read-only queries."""

from collections.abc import Sequence
from typing import Protocol

from yabot_core.auctions.models import Auction, AuctionStatus, Bid
from yabot_core.audit import AuditUnitOfWork
from yabot_core.inventory import InventoryUnitOfWork
from yabot_core.kernel import TimersUnitOfWork
from yabot_core.wallet import WalletUnitOfWork


class AuctionRepository(Protocol):
    """Auctions and their bids, read and written inside one transaction."""

    async def get(self, auction_id: str) -> Auction | None:
        """Return the auction, or ``None``."""
        ...

    async def save(self, auction: Auction) -> None:
        """Store ``auction`` over the version it was read at: ``auction.version - 1`` (none, for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is not ``auction.version - 1`` (another transaction
                moved it first). Transient: the work is retried from scratch.
        """
        ...

    async def bid_by_key(self, auction_id: str, request_key: str) -> Bid | None:
        """Return the bid a request placed on the auction, or ``None``."""
        ...

    async def add_bid(self, bid: Bid) -> None:
        """Store ``bid``.

        Raises:
            ConcurrentUpdateError: a bid with that auction and request key exists. Transient: retried.
        """
        ...


class AuctionsUnitOfWork(TimersUnitOfWork, WalletUnitOfWork, InventoryUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching auctions, timers, wallets, mochilas and the audit log.

    A bid holds and leads at once; an admin's action is logged with it.
    """

    @property
    def auctions(self) -> AuctionRepository:
        """The auctions of this transaction."""
        ...


class AuctionQueries(Protocol):
    """Read-only views of auctions, outside any transaction (committed data only)."""

    async def get(self, auction_id: str) -> Auction | None:
        """Return the committed auction, or ``None``."""
        ...

    async def list(self, *, status: AuctionStatus | None = None, limit: int = 50) -> Sequence[Auction]:
        """Return up to ``limit`` auctions (of ``status``, if given), soonest end first."""
        ...

    async def bids(self, auction_id: str, *, limit: int = 50) -> Sequence[Bid]:
        """Return the auction's last ``limit`` bids, highest first."""
        ...


class AuctionStorage(Protocol):
    """What a storage backend offers the auctions besides its unit of work."""

    @property
    def auction_queries(self) -> AuctionQueries:
        """Committed auctions and bids."""
        ...
