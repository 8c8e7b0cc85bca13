"""The tienda's storage on every backend: counters moved by version, purchases by key, and the rush.

Two hundred fans tapping « Comprar » at once for an item with ten units: exactly ten buy it, and every
wallet, mochila and counter agrees afterwards. Sized by the backend's ``store_rush`` knob.
"""

import asyncio
from datetime import datetime
from typing import ClassVar, Final

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, OPERATOR, BoomError, recorded_events
from tests.contracts.store_fixtures import (
    MASK,
    MEDAL,
    MEDAL_PRICE,
    MEDAL_STOCK,
    ROSE,
    ROSE_LIMIT,
    STONE,
    fund,
    make_store,
)
from tests.contracts.subscription_fixtures import subscription_service
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.inventory import ItemAdded, ItemId, ItemNotStackableError
from yabot_core.kernel import (
    ConcurrentUpdateError,
    FakeClock,
    IdempotencyKey,
    UserId,
)
from yabot_core.store import (
    BuyerLine,
    CountMismatch,
    InvalidTapError,
    ItemPurchased,
    NotForSaleError,
    OutOfStockError,
    Purchase,
    PurchaseLimitError,
    StockLine,
    VipOnlyItemError,
)
from yabot_core.wallet import BesitosSpent, InsufficientBesitosError

FIRST_FAN: Final = 5000


def purchase(key: str, at: datetime, user: UserId = ALICE, item: str = MEDAL) -> Purchase:
    return Purchase(
        purchase_id=f"p-{key}",
        idempotency_key=IdempotencyKey(key),
        user_id=user,
        item_id=ItemId(item),
        price=5,
        entry_id=f"e-{key}",
        operation_id=f"o-{key}",
        created_at=at,
    )


async def in_work(storage: StorageBackend, *steps: object, fail: bool = False) -> None:
    """Save stock lines, buyer lines and purchases in one unit of work (raising at the end if ``fail``)."""

    async def work(uow: StorageUnitOfWork) -> None:
        for step in steps:
            if isinstance(step, StockLine):
                await uow.store.save_stock(step)
            elif isinstance(step, BuyerLine):
                await uow.store.save_buyer(step)
            elif isinstance(step, Purchase):
                await uow.store.add_purchase(step)
        if fail:
            raise BoomError

    await storage.transactions.run(work)


async def balances(storage: StorageBackend, *users: UserId) -> list[int]:
    return [(await storage.wallet_queries.balance(user)).balance for user in users]


class StoreContract(ContractBase):
    """What every backend's tienda slice must do."""

    store_rush: ClassVar[int] = 200

    async def test_counters_move_only_from_the_version_they_were_read_at(
        self, storage: StorageBackend
    ) -> None:
        """Version 1 creates a counter, each later one moves it by one; a stale or repeated one is refused."""
        await in_work(
            storage,
            StockLine(item_id=MEDAL, sold=1, version=1),
            BuyerLine(user_id=ALICE, item_id=MEDAL, bought=1, version=1),
        )
        await in_work(storage, StockLine(item_id=MEDAL, sold=2, version=2))
        stale = (
            StockLine(item_id=MEDAL, sold=5, version=1),
            StockLine(item_id=MEDAL, sold=5, version=4),
            BuyerLine(user_id=ALICE, item_id=MEDAL, bought=3, version=1),
        )
        for line in stale:
            with pytest.raises(ConcurrentUpdateError):
                await in_work(storage, BuyerLine(user_id=BOB, item_id=MEDAL, bought=1, version=1), line)
        assert await storage.store_queries.sold([MEDAL, ROSE]) == {MEDAL: 2}
        assert await storage.store_queries.bought(ALICE, [MEDAL, ROSE]) == {MEDAL: 1}
        assert await storage.store_queries.bought(BOB, [MEDAL]) == {}

    async def test_a_purchase_key_is_stored_once_and_a_failed_work_keeps_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """The same key twice is a concurrent update; a work that raises leaves no counter and no purchase."""
        first = purchase("k1", clock.now())
        await in_work(storage, first)
        assert await storage.store_queries.purchase_by_key(IdempotencyKey("k1")) == first
        with pytest.raises(ConcurrentUpdateError):
            await in_work(
                storage, purchase("k1", clock.now(), user=BOB).model_copy(update={"purchase_id": "p2"})
            )
        with pytest.raises(BoomError):
            await in_work(
                storage, StockLine(item_id=ROSE, sold=1, version=1), purchase("k2", clock.now()), fail=True
            )
        assert await storage.store_queries.purchase_by_key(IdempotencyKey("k2")) is None
        assert await storage.store_queries.sold([ROSE]) == {}

        async def read(uow: StorageUnitOfWork) -> Purchase | None:
            return await uow.store.purchase_by_key(IdempotencyKey("k1"))

        assert await storage.transactions.run(read) == first

    async def test_a_purchase_debits_fills_the_mochila_and_counts_in_one_commit(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Debit, item, counters, purchase and events commit together; the same tap again changes nothing."""
        store = make_store(storage, clock)
        await fund(storage, clock, 12, ALICE)
        result = await store.purchase(ALICE, MEDAL, tap="t1")
        assert result.fresh
        assert (result.purchase.price, result.balance_after) == (MEDAL_PRICE, 7)
        assert await balances(storage, ALICE) == [7]
        assert await storage.inventory_queries.quantities(ALICE, [MEDAL]) == {MEDAL: 1}
        assert await storage.store_queries.sold([MEDAL]) == {MEDAL: 1}
        offer = await store.offer(MEDAL, ALICE)
        assert (offer.left, offer.bought) == (MEDAL_STOCK - 1, 1)
        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds[-3:] == [BesitosSpent, ItemAdded, ItemPurchased]

        again = await store.purchase(ALICE, MEDAL, tap="t1")
        assert not again.fresh
        assert again.purchase == result.purchase
        assert await balances(storage, ALICE) == [7]
        assert len(await recorded_events(storage)) == len(kinds)

    async def test_a_refused_purchase_changes_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Too few besitos, a full mochila, a limit reached, not for sale, a bad tap: nothing moves."""
        store = make_store(storage, clock)
        with pytest.raises(InsufficientBesitosError):
            await store.purchase(ALICE, MEDAL, tap="a")
        await fund(storage, clock, 20, ALICE)
        await store.purchase(ALICE, MEDAL, tap="b")
        with pytest.raises(ItemNotStackableError):
            await store.purchase(ALICE, MEDAL, tap="c")
        for tap in ("r1", "r2", "r3"):
            await store.purchase(ALICE, ROSE, tap=tap)
        with pytest.raises(PurchaseLimitError):
            await store.purchase(ALICE, ROSE, tap="r4")
        with pytest.raises(NotForSaleError):
            await store.purchase(ALICE, STONE, tap="s")
        with pytest.raises(NotForSaleError):
            await store.purchase(ALICE, "no-existe", tap="s")
        with pytest.raises(InvalidTapError):
            await store.purchase(ALICE, ROSE, tap="dos palabras")
        assert await balances(storage, ALICE) == [20 - MEDAL_PRICE - 3 * 2]
        assert await storage.store_queries.sold([MEDAL, ROSE]) == {MEDAL: 1, ROSE: ROSE_LIMIT}
        assert await storage.inventory_queries.quantities(ALICE, [MEDAL, ROSE]) == {MEDAL: 1, ROSE: 3}
        assert await storage.wallet_audit.ledger_mismatches() == []
        assert await storage.inventory_audit.quantity_mismatches() == []

    async def test_a_vip_only_item_is_sold_to_vips_only(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A fan without VIP is refused; once VIP (through the subscriptions' port) the same fan buys."""
        store = make_store(storage, clock)
        await fund(storage, clock, 10, ALICE)
        with pytest.raises(VipOnlyItemError):
            await store.purchase(ALICE, MASK, tap="v1")
        vip = subscription_service(storage, clock)
        await vip.grant(ALICE, days=30, actor=OPERATOR, idempotency_key="vip-alice")
        store = make_store(storage, clock, prefix="u")  # a fresh VIP check: nothing kept from before
        assert (await store.purchase(ALICE, MASK, tap="v1")).fresh
        assert await balances(storage, ALICE) == [6]

    async def test_a_double_tap_buys_once(self, storage: StorageBackend, clock: FakeClock) -> None:
        """Twenty simultaneous deliveries of one tap make one purchase, one debit, one item."""
        store = make_store(storage, clock)
        await fund(storage, clock, 10, ALICE)
        results = await asyncio.gather(*(store.purchase(ALICE, ROSE, tap="doble") for _ in range(20)))
        assert sum(result.fresh for result in results) == 1
        assert len({result.purchase.purchase_id for result in results}) == 1
        assert await balances(storage, ALICE) == [8]
        assert await storage.inventory_queries.quantities(ALICE, [ROSE]) == {ROSE: 1}

    async def test_a_rush_on_the_last_units_sells_exactly_the_stock(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """``store_rush`` fans buy a ten-unit item at once: ten succeed, the rest hear it is sold out."""
        store = make_store(storage, clock)
        fans = [UserId(FIRST_FAN + n) for n in range(self.store_rush)]
        await fund(storage, clock, 10, *fans)
        outcomes = await asyncio.gather(
            *(store.purchase(fan, MEDAL, tap="rush") for fan in fans), return_exceptions=True
        )
        bought = [
            fan for fan, outcome in zip(fans, outcomes, strict=True) if not isinstance(outcome, BaseException)
        ]
        refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        assert len(bought) == MEDAL_STOCK
        assert all(isinstance(outcome, OutOfStockError) for outcome in refused), refused[:3]
        assert await storage.store_queries.sold([MEDAL]) == {MEDAL: MEDAL_STOCK}
        money = await balances(storage, *fans)
        assert sum(money) == 10 * len(fans) - MEDAL_PRICE * MEDAL_STOCK
        assert {fan for fan, left in zip(fans, money, strict=True) if left == 10 - MEDAL_PRICE} == set(bought)
        for fan in bought:
            assert await storage.inventory_queries.quantities(fan, [MEDAL]) == {MEDAL: 1}
        assert await storage.wallet_audit.ledger_mismatches() == []
        assert await storage.inventory_audit.quantity_mismatches() == []
        events = [e for e in await recorded_events(storage) if isinstance(e, ItemPurchased)]
        assert sorted(event.user_id for event in events) == sorted(bought)
        assert (await store.offer(MEDAL)).sold_out


class StoreAuditContract(ContractBase):
    """The reconciliation's view of the tienda: counters that are not their purchases' count are found."""

    async def test_real_purchases_leave_every_counter_equal_to_its_purchases(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Purchases through the tienda, a replayed tap among them: nothing to report."""
        await fund(storage, clock, 20, ALICE, BOB)
        store = make_store(storage, clock)
        for user, item, tap in (
            (ALICE, MEDAL, "a"),
            (ALICE, ROSE, "b"),
            (ALICE, ROSE, "b"),
            (BOB, ROSE, "c"),
        ):
            await store.purchase(user, item, tap=tap)
        assert await storage.store_audit.count_mismatches() == []

    async def test_counters_that_disagree_with_the_purchases_are_found(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A counter above its purchases, purchases with no counter, a counter with none: all, in order."""
        now = clock.now()
        await in_work(
            storage,
            StockLine(item_id=MEDAL, sold=2, version=1),  # one purchase only
            BuyerLine(user_id=ALICE, item_id=MEDAL, bought=1, version=1),  # agrees
            purchase("k1", now),
            purchase("k2", now, user=BOB, item=ROSE),  # no counter counted it
            BuyerLine(user_id=BOB, item_id=MEDAL, bought=1, version=1),  # Bob bought no medal
        )
        assert await storage.store_audit.count_mismatches() == [
            CountMismatch(item_id=MEDAL, counted=2, purchases=1, version=1),
            CountMismatch(item_id=ROSE, counted=0, purchases=1, version=0),
            CountMismatch(item_id=MEDAL, user_id=BOB, counted=1, purchases=0, version=1),
            CountMismatch(item_id=ROSE, user_id=BOB, counted=0, purchases=1, version=0),
        ]
