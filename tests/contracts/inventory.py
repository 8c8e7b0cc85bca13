"""The mochila's storage on every backend: lines moved by version, operations by key, pages, and load.

Sized by each backend's own knobs (``concurrency``, ``stateful_examples``), which its test module sets for
its speed: the nx-27017 Mongo server runs every operation one at a time, so it gets the smaller numbers.
"""

import asyncio
from typing import ClassVar

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.factory import StorageFactory
from tests.contracts.inventory_catalog import BOUQUET, LEFT, LETTER, RIGHT, ROSE, small_catalog
from tests.contracts.inventory_machine import run_inventory_machine
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.inventory import (
    ADMIN_GRANT,
    InventoryLine,
    InventoryOperation,
    ItemAdded,
    ItemChange,
    ItemId,
    ItemsCombined,
    ItemUsed,
    Mochila,
    NotEnoughItemsError,
    OperationKind,
    QuantityMismatch,
)
from yabot_core.kernel import (
    ConcurrentUpdateError,
    CorrelationId,
    FakeClock,
    IdempotencyKey,
    SequentialIds,
    UserId,
)


def line(item: str, quantity: int, version: int, user: UserId = ALICE) -> InventoryLine:
    return InventoryLine(user_id=user, item_id=ItemId(item), quantity=quantity, version=version)


def operation(
    clock: FakeClock, key: str, operation_id: str | None = None, note: str | None = None
) -> InventoryOperation:
    return InventoryOperation(
        operation_id=operation_id or f"op-{key}",
        idempotency_key=IdempotencyKey(key),
        user_id=ALICE,
        kind=OperationKind.COMBINE,
        items=(LEFT, RIGHT),
        quantity=1,
        changes=(
            ItemChange(item_id=LEFT, delta=-1, quantity_after=0),
            ItemChange(item_id=RIGHT, delta=-1, quantity_after=2),
            ItemChange(item_id=LETTER, delta=1, quantity_after=1),
        ),
        reason="combined",
        note=note,
        correlation_id=CorrelationId("corr"),
        created_at=clock.now(),
    )


async def save(storage: StorageBackend, *lines: InventoryLine) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        for each in lines:
            await uow.inventory.save_line(each)

    await storage.transactions.run(work)


async def stored_line(storage: StorageBackend, item: str, user: UserId = ALICE) -> InventoryLine | None:
    async def work(uow: StorageUnitOfWork) -> InventoryLine | None:
        return await uow.inventory.line(user, ItemId(item))

    return await storage.transactions.run(work)


async def stored_operation(storage: StorageBackend, key: str) -> InventoryOperation | None:
    async def work(uow: StorageUnitOfWork) -> InventoryOperation | None:
        return await uow.inventory.operation_by_key(IdempotencyKey(key))

    return await storage.transactions.run(work)


class InventoryContract(ContractBase):
    """What every backend's inventory slice must do."""

    concurrency: ClassVar[int] = 1000
    stateful_examples: ClassVar[int] = 60

    @pytest.fixture(name="mochila")
    def mochila_fixture(self, storage: StorageBackend, clock: FakeClock) -> Mochila:
        return Mochila(
            storage.transactions, storage.inventory_queries, small_catalog(), clock, SequentialIds("i")
        )

    async def test_a_new_mochila_is_empty(self, storage: StorageBackend) -> None:
        """A user who never held anything has no line, an empty page and no quantities."""
        assert await stored_line(storage, ROSE) is None
        page = await storage.inventory_queries.page(ALICE, limit=10, offset=0)
        assert (page.lines, page.total) == ((), 0)
        assert await storage.inventory_queries.quantities(ALICE, [ROSE, LEFT]) == {}

    async def test_lines_are_created_then_moved_from_their_version(self, storage: StorageBackend) -> None:
        """Version 1 creates a line; each later version replaces the one before it."""
        await save(storage, line(ROSE, 2, 1))
        await save(storage, line(ROSE, 5, 2))
        await save(storage, line(ROSE, 0, 3))
        assert await stored_line(storage, ROSE) == line(ROSE, 0, 3)
        assert await stored_line(storage, ROSE, BOB) is None

    async def test_a_stale_line_is_a_concurrent_update(self, storage: StorageBackend) -> None:
        """Creating a line that exists, or moving one from a version it is not at, is a transient conflict."""
        await save(storage, line(ROSE, 2, 1))
        for stale in (line(ROSE, 9, 1), line(ROSE, 9, 3)):
            with pytest.raises(ConcurrentUpdateError):
                await save(storage, line(LEFT, 1, 1), stale)
        assert await stored_line(storage, ROSE) == line(ROSE, 2, 1)
        assert await stored_line(storage, LEFT) is None, "a failed work kept a line"

    async def test_operations_are_stored_whole_under_their_key(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """An operation reads back equal, by its idempotency key; an unknown key finds nothing."""
        first, second = operation(clock, "k1"), operation(clock, "k2", note="Para usted")

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.inventory.add_operation(first)
            await uow.inventory.add_operation(second)

        await storage.transactions.run(work)
        assert await stored_operation(storage, "k1") == first
        assert await stored_operation(storage, "k2") == second
        assert await stored_operation(storage, "k3") is None

    async def test_a_reused_key_is_a_concurrent_update(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Two operations with one idempotency key never both exist."""

        async def add(op: InventoryOperation) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                await uow.inventory.add_operation(op)

            await storage.transactions.run(work)

        await add(operation(clock, "same", "op-1"))
        with pytest.raises(ConcurrentUpdateError):
            await add(operation(clock, "same", "op-2"))
        assert await stored_operation(storage, "same") == operation(clock, "same", "op-1")

    async def test_a_failed_work_keeps_no_line_and_no_operation(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Lines and operations written by a work that raises are all undone."""

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.inventory.save_line(line(ROSE, 1, 1))
            await uow.inventory.add_operation(operation(clock, "k"))
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)
        assert await stored_line(storage, ROSE) is None
        assert await stored_operation(storage, "k") is None

    async def test_pages_list_held_items_by_id(self, storage: StorageBackend) -> None:
        """Pages hold the user's lines of 1 or more, by item id, with their count; others never show."""
        await save(
            storage,
            line("d", 1, 1),
            line("b", 2, 1),
            line("a", 0, 1),
            line("e", 5, 1),
            line("c", 3, 1),
            line("z", 9, 1, BOB),
        )
        first = await storage.inventory_queries.page(ALICE, limit=2, offset=0)
        assert [(each.item_id, each.quantity) for each in first.lines] == [("b", 2), ("c", 3)]
        assert (first.total, first.limit, first.offset) == (4, 2, 0)
        last = await storage.inventory_queries.page(ALICE, limit=2, offset=3)
        assert [each.item_id for each in last.lines] == ["e"]
        beyond = await storage.inventory_queries.page(ALICE, limit=2, offset=9)
        assert (beyond.lines, beyond.total) == ((), 4)
        found = await storage.inventory_queries.quantities(
            ALICE, [ItemId(i) for i in ("a", "b", "z", "q", "b")]
        )
        assert found == {"b": 2}

    async def test_mochila_end_to_end(self, mochila: Mochila, storage: StorageBackend) -> None:
        """Add, combine, use and remove keep the lines right and record their events in order."""
        await mochila.add(ALICE, LEFT, reason=ADMIN_GRANT, idempotency_key="a1")
        await mochila.add(ALICE, RIGHT, reason=ADMIN_GRANT, idempotency_key="a2")
        await mochila.add(ALICE, ROSE, 3, reason=ADMIN_GRANT, idempotency_key="a3")
        combined = await mochila.combine(ALICE, RIGHT, LEFT, idempotency_key="c1")
        used = await mochila.use(ALICE, LETTER, idempotency_key="u1")
        await mochila.combine(ALICE, ROSE, ROSE, idempotency_key="c2")
        with pytest.raises(NotEnoughItemsError):
            await mochila.combine(ALICE, ROSE, ROSE, idempotency_key="c3")
        assert [(c.item_id, c.delta, c.quantity_after) for c in combined.changes] == [
            (RIGHT, -1, 0),
            (LEFT, -1, 0),
            (LETTER, 1, 1),
        ]
        assert used.quantity_after(LETTER) == 0
        view = await mochila.inventory(ALICE)
        assert [(held.item_id, held.quantity) for held in view.items] == [(BOUQUET, 1), (ROSE, 1)]
        events = [e for e in await recorded_events(storage) if e.user_id == ALICE]
        assert [type(e) for e in events] == [ItemAdded] * 3 + [ItemsCombined, ItemUsed, ItemsCombined]

    async def test_concurrent_adds_and_removes_lose_and_double_nothing(
        self, mochila: Mochila, storage: StorageBackend
    ) -> None:
        """Hundreds of concurrent adds and removes of one item, each sent twice, apply exactly once."""
        n = self.concurrency // 2
        await mochila.add(ALICE, BOUQUET, 50, reason=ADMIN_GRANT, idempotency_key="seed")

        async def move(i: int) -> int:
            try:
                if i % 2:
                    done = await mochila.remove(ALICE, BOUQUET, 3, reason="tests", idempotency_key=f"m{i}")
                else:
                    done = await mochila.add(ALICE, BOUQUET, 2, reason="tests", idempotency_key=f"m{i}")
            except NotEnoughItemsError:
                return 0
            (change,) = done.changes
            return change.delta

        applied = await asyncio.gather(*(move(i) for i in range(n)), *(move(i) for i in range(n)))
        expected = 50
        for i in range(n):
            stored = await stored_operation(storage, f"m{i}")
            reported = {delta for delta in (applied[i], applied[n + i]) if delta != 0}
            assert reported == (set() if stored is None else {stored.changes[0].delta}), (
                f"m{i} lost or doubled"
            )
            expected += 0 if stored is None else stored.changes[0].delta
        held = await storage.inventory_queries.quantities(ALICE, [BOUQUET])
        assert held.get(BOUQUET, 0) == expected >= 0

    def test_inventory_invariants_hold_for_any_sequence(self, storage_factory: StorageFactory) -> None:
        """Random adds, removes, uses, combinations, replays and reused keys never break a mochila."""
        run_inventory_machine(storage_factory, examples=self.stateful_examples)


class InventoryAuditContract(ContractBase):
    """The reconciliation's view of mochilas: a line that is not the sum of its operations is found."""

    async def test_lines_that_disagree_with_their_operations_are_found(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Each line is checked against its operations' deltas; an item moved with no line counts as 0."""

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.inventory.add_operation(operation(clock, "k1"))
            await uow.inventory.save_line(line(LEFT, 0, 1))  # -1 with nothing before it: off too
            await uow.inventory.save_line(line(RIGHT, 5, 1))  # the operations say -1
            await uow.inventory.save_line(line(ROSE, 2, 1, user=BOB))  # no operation brought it

        await storage.transactions.run(work)
        assert set(await storage.inventory_audit.quantity_mismatches()) == {
            QuantityMismatch(user_id=ALICE, item_id=LEFT, quantity=0, movements=-1),
            QuantityMismatch(user_id=ALICE, item_id=LETTER, quantity=0, movements=1),
            QuantityMismatch(user_id=ALICE, item_id=RIGHT, quantity=5, movements=-1),
            QuantityMismatch(user_id=BOB, item_id=ROSE, quantity=2, movements=0),
        }
