"""The tienda's counters and purchases in memory: the store module's slice."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.inventory import ItemId
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.store import (
    BuyerLine,
    CountMismatch,
    Purchase,
    StockLine,
    StoreAudit,
    StoreQueries,
    StoreRepository,
    count_mismatches,
)


@dataclass
class StoreState:
    """Committed sold counters by item, bought counters by (user, item), purchases by idempotency key."""

    stock: dict[ItemId, StockLine] = field(default_factory=dict)
    buyers: dict[tuple[UserId, ItemId], BuyerLine] = field(default_factory=dict)
    purchases: dict[IdempotencyKey, Purchase] = field(default_factory=dict)


class InMemoryStoreRepository(StoreRepository):
    """The tienda of one in-memory unit of work: writes are staged."""

    def __init__(self, state: StoreState) -> None:
        self._stock = Overlay(state.stock)
        self._buyers = Overlay(state.buyers)
        self._purchases = Overlay(state.purchases)

    async def stock(self, item_id: ItemId) -> StockLine | None:
        return self._stock.get(item_id)

    async def save_stock(self, line: StockLine) -> None:
        current = self._stock.get(line.item_id)
        if (current.version if current else 0) != line.version - 1:
            raise ConcurrentUpdateError(detail={"item_id": line.item_id, "version": line.version})
        self._stock.stage(line.item_id, line)

    async def buyer(self, user_id: UserId, item_id: ItemId) -> BuyerLine | None:
        return self._buyers.get((user_id, item_id))

    async def save_buyer(self, line: BuyerLine) -> None:
        current = self._buyers.get((line.user_id, line.item_id))
        if (current.version if current else 0) != line.version - 1:
            detail = {"user_id": line.user_id, "item_id": line.item_id, "version": line.version}
            raise ConcurrentUpdateError(detail=detail)
        self._buyers.stage((line.user_id, line.item_id), line)

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        return self._purchases.get(key)

    async def add_purchase(self, purchase: Purchase) -> None:
        if self._purchases.get(purchase.idempotency_key) is not None:
            raise ConcurrentUpdateError(detail={"idempotency_key": purchase.idempotency_key})
        self._purchases.stage(purchase.idempotency_key, purchase)

    def apply(self) -> None:
        self._stock.apply()
        self._buyers.apply()
        self._purchases.apply()


class InMemoryStoreQueries(StoreQueries):
    """Counters and purchases from committed state."""

    def __init__(self, state: StoreState) -> None:
        self._state = state

    async def sold(self, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        return {item: line.sold for item in item_ids if (line := self._state.stock.get(item)) is not None}

    async def bought(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        buyers = self._state.buyers
        return {item: line.bought for item in item_ids if (line := buyers.get((user_id, item))) is not None}

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        return self._state.purchases.get(key)


class InMemoryStoreAudit(StoreAudit):
    """Counters against purchases, from committed state."""

    def __init__(self, state: StoreState) -> None:
        self._state = state

    async def count_mismatches(self) -> Sequence[CountMismatch]:
        state = self._state
        purchases = [(purchase.user_id, purchase.item_id) for purchase in state.purchases.values()]
        return count_mismatches(state.stock.values(), state.buyers.values(), purchases)


SLICE = MemorySlice(
    name="store",
    state=StoreState,
    repository=InMemoryStoreRepository,
    queries={"store_queries": InMemoryStoreQueries, "store_audit": InMemoryStoreAudit},
)
