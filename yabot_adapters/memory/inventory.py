"""Mochila lines and operations in memory: the inventory module's slice."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.inventory import (
    InventoryAudit,
    InventoryLine,
    InventoryOperation,
    InventoryPage,
    InventoryQueries,
    InventoryRepository,
    ItemId,
    QuantityMismatch,
)
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId


@dataclass
class InventoryState:
    """Committed lines by user, then item; operations by idempotency key."""

    lines: dict[UserId, dict[ItemId, InventoryLine]] = field(default_factory=dict)
    operations: dict[IdempotencyKey, InventoryOperation] = field(default_factory=dict)


class InMemoryInventoryRepository(InventoryRepository):
    """The inventory repository of one in-memory unit of work."""

    def __init__(self, state: InventoryState) -> None:
        self._state = state
        self._lines: dict[tuple[UserId, ItemId], InventoryLine] = {}
        self._operations: dict[IdempotencyKey, InventoryOperation] = {}

    async def line(self, user_id: UserId, item_id: ItemId) -> InventoryLine | None:
        return self._lines.get((user_id, item_id)) or self._state.lines.get(user_id, {}).get(item_id)

    async def save_line(self, line: InventoryLine) -> None:
        current = await self.line(line.user_id, line.item_id)
        if (current.version if current else 0) != line.version - 1:
            raise ConcurrentUpdateError(detail={"user_id": line.user_id, "item_id": line.item_id})
        self._lines[line.user_id, line.item_id] = line

    async def operation_by_key(self, key: IdempotencyKey) -> InventoryOperation | None:
        return self._operations.get(key) or self._state.operations.get(key)

    async def add_operation(self, operation: InventoryOperation) -> None:
        if await self.operation_by_key(operation.idempotency_key) is not None:
            raise ConcurrentUpdateError(detail={"idempotency_key": operation.idempotency_key})
        self._operations[operation.idempotency_key] = operation

    def apply(self) -> None:
        for (user_id, item_id), line in self._lines.items():
            self._state.lines.setdefault(user_id, {})[item_id] = line
        self._state.operations.update(self._operations)


class InMemoryInventoryQueries(InventoryQueries):
    """Mochilas from committed state (reads never await: each is one snapshot)."""

    def __init__(self, state: InventoryState) -> None:
        self._state = state

    async def page(self, user_id: UserId, *, limit: int, offset: int) -> InventoryPage:
        mochila = self._state.lines.get(user_id, {})
        held = [mochila[item_id] for item_id in sorted(mochila) if mochila[item_id].quantity > 0]
        lines = tuple(islice(held, offset, offset + limit))
        return InventoryPage(lines=lines, total=len(held), limit=limit, offset=offset)

    async def quantities(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        mochila = self._state.lines.get(user_id, {})
        found = {}
        for item_id in item_ids:
            line = mochila.get(item_id)
            if line is not None and line.quantity > 0:
                found[item_id] = line.quantity
        return found


class InMemoryInventoryAudit(InventoryAudit):
    """Quantities against operations in committed state (one snapshot: nothing awaits in between)."""

    def __init__(self, state: InventoryState) -> None:
        self._state = state

    async def quantity_mismatches(self) -> Sequence[QuantityMismatch]:
        moved: dict[tuple[UserId, ItemId], int] = {}
        for operation in self._state.operations.values():
            for change in operation.changes:
                key = (operation.user_id, change.item_id)
                moved[key] = moved.get(key, 0) + change.delta
        held = {
            (user_id, item_id): line.quantity
            for user_id, lines in self._state.lines.items()
            for item_id, line in lines.items()
        }
        return [
            QuantityMismatch(user_id=user, item_id=item, quantity=held.get((user, item), 0), movements=total)
            for (user, item) in sorted(held.keys() | moved.keys())
            if held.get((user, item), 0) != (total := moved.get((user, item), 0))
        ]


SLICE = MemorySlice(
    name="inventory",
    state=InventoryState,
    repository=InMemoryInventoryRepository,
    queries={"inventory_queries": InMemoryInventoryQueries, "inventory_audit": InMemoryInventoryAudit},
)
