"""What the mochila needs from storage: a repository inside a unit of work, and read-only queries."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from yabot_core.inventory.fields import ItemId
from yabot_core.inventory.models import InventoryLine, InventoryOperation, InventoryPage, QuantityMismatch
from yabot_core.kernel import IdempotencyKey, UnitOfWork, UserId


class InventoryRepository(Protocol):
    """Mochila lines and operations, read and written inside one transaction."""

    async def line(self, user_id: UserId, item_id: ItemId) -> InventoryLine | None:
        """Return the user's line of that item, or ``None`` if they never held one."""
        ...

    async def save_line(self, line: InventoryLine) -> None:
        """Store ``line`` over the version it was read at: ``line.version - 1`` (none stored, for version 1).

        Raises:
            ConcurrentUpdateError: the stored line is not at ``line.version - 1`` (another transaction moved
                it, or created it first). Transient: the work is retried from scratch.
        """
        ...

    async def operation_by_key(self, key: IdempotencyKey) -> InventoryOperation | None:
        """Return the operation stored under this idempotency key, if any (any user's)."""
        ...

    async def add_operation(self, operation: InventoryOperation) -> None:
        """Store the operation.

        Raises:
            ConcurrentUpdateError: another transaction stored one with the same key (or id) first.
        """
        ...


class InventoryUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can reach mochilas."""

    @property
    def inventory(self) -> InventoryRepository:
        """The mochilas of this transaction."""
        ...


class InventoryQueries(Protocol):
    """Read-only views of mochilas, outside any transaction (they see committed data only)."""

    async def page(self, user_id: UserId, *, limit: int, offset: int) -> InventoryPage:
        """Return a page of the user's lines holding at least one item, by item id, with their count.

        The page (``offset``, ``limit``) and the count come from one snapshot.
        """
        ...

    async def quantities(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        """Return how many of each of ``item_ids`` the user holds; items they hold none of are absent."""
        ...


class InventoryAudit(Protocol):
    """Mochilas checked against their operations, for the reconciliation (reads only)."""

    async def quantity_mismatches(self) -> Sequence[QuantityMismatch]:
        """Return every line whose quantity differs from the sum of its operations' changes.

        An item moved by operations but with no line counts too (quantity 0). One snapshot, by user and item.
        """
        ...


class InventoryStorage(Protocol):
    """What a storage backend offers the mochila besides its unit of work."""

    @property
    def inventory_queries(self) -> InventoryQueries:
        """Committed mochilas."""
        ...

    @property
    def inventory_audit(self) -> InventoryAudit:
        """Quantities against operations, for the reconciliation."""
        ...
