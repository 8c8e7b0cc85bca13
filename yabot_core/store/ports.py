"""What the tienda needs from storage: counters and purchases inside a unit of work, and committed views."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from yabot_core.inventory import InventoryUnitOfWork, ItemId
from yabot_core.kernel import IdempotencyKey, UserId
from yabot_core.store.models import BuyerLine, CountMismatch, Purchase, StockLine
from yabot_core.wallet import WalletUnitOfWork


class StoreRepository(Protocol):
    """Units sold, units bought per fan, and purchases, read and written inside one transaction."""

    async def stock(self, item_id: ItemId) -> StockLine | None:
        """Return the item's sold counter, or ``None`` if none was ever sold."""
        ...

    async def save_stock(self, line: StockLine) -> None:
        """Store ``line`` over the version it was read at: ``line.version - 1`` (none stored, for version 1).

        Raises:
            ConcurrentUpdateError: the stored line is not at ``line.version - 1`` (another purchase moved
                it first). Transient: the work is retried from scratch and sees the new count.
        """
        ...

    async def buyer(self, user_id: UserId, item_id: ItemId) -> BuyerLine | None:
        """Return what the fan bought of the item, or ``None`` if they never bought it."""
        ...

    async def save_buyer(self, line: BuyerLine) -> None:
        """Store ``line`` over the version it was read at, as :meth:`save_stock` does.

        Raises:
            ConcurrentUpdateError: the stored line is not at ``line.version - 1``. Transient.
        """
        ...

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        """Return the purchase stored under this idempotency key, if any."""
        ...

    async def add_purchase(self, purchase: Purchase) -> None:
        """Store the purchase.

        Raises:
            ConcurrentUpdateError: another transaction stored one with the same key (or id) first.
        """
        ...


class StoreUnitOfWork(WalletUnitOfWork, InventoryUnitOfWork, Protocol):
    """A unit of work reaching the tienda, wallets and mochilas: a purchase commits all three at once."""

    @property
    def store(self) -> StoreRepository:
        """The tienda of this transaction."""
        ...


class StoreQueries(Protocol):
    """Read-only views of the tienda, outside any transaction (committed data only)."""

    async def sold(self, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        """Return the units sold of each of ``item_ids``; items never sold are absent."""
        ...

    async def bought(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        """Return the units the fan bought of each of ``item_ids``; items they never bought are absent."""
        ...

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        """Return the committed purchase stored under this key, if any."""
        ...


class StoreAudit(Protocol):
    """The tienda's counters checked against the purchases they count, for the reconciliation (reads only)."""

    async def count_mismatches(self) -> Sequence[CountMismatch]:
        """Return every counter that is not the number of its stored purchases.

        Each item's sold counter against all its purchases, each fan's bought counter against theirs; a
        counter without purchases, or purchases without a counter, count as 0. One snapshot; sold counters
        first, by item, then bought counters by item and fan.
        """
        ...


class StoreStorage(Protocol):
    """What a storage backend offers the tienda besides its unit of work."""

    @property
    def store_queries(self) -> StoreQueries:
        """Committed counters and purchases."""
        ...

    @property
    def store_audit(self) -> StoreAudit:
        """Counters against purchases, for the reconciliation."""
        ...
