"""A hypothesis state machine driving the tienda on the in-memory backend, compared with a plain model.

Random funding, purchases by three fans of three items (candles: four units in all, stackable; roses: three
per fan; medals: one per mochila, not stackable), taps repeated (a double tap or a redelivery) and refusals.
After every step: units sold never exceed the stock, no fan passes a limit, every wallet equals its ledger and
the funds less what was bought, every mochila holds what was bought, and a tap bought at most once.
"""

from contextlib import AbstractAsyncContextManager

from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from tests.contracts.machines import StorageMachine, run_machine
from tests.contracts.store_fixtures import MEDAL, MEDAL_STOCK, ROSE, ROSE_LIMIT, make_store, store_catalog
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageBackend, opened
from yabot_core.inventory import ItemCatalog, ItemDefinition, ItemId
from yabot_core.kernel import DomainError, FakeClock, SequentialIds, UserId
from yabot_core.wallet import ADMIN_GRANT, WalletService

FANS = (UserId(1), UserId(2), UserId(3))
CANDLE = ItemId("vela")
CANDLE_STOCK = 4
CATALOG = ItemCatalog(
    items=(
        *store_catalog().items,
        ItemDefinition.model_validate(
            {
                "id": CANDLE,
                "nombre": "Vela",
                "descripcion": "Una vela.",
                "apilable": "sí",
                "precio": 1,
                "existencias": CANDLE_STOCK,
            }
        ),
    )
)
ITEMS = (MEDAL, ROSE, CANDLE)
PRICES = {item.id: item.price or 0 for item in CATALOG.items}


def memory(clock: FakeClock) -> AbstractAsyncContextManager[StorageBackend]:
    return opened(InMemoryStorage(clock))


class StoreMachine(StorageMachine):
    """The tienda against a model: what each fan was given, and what each tap bought."""

    def __init__(self) -> None:
        super().__init__(memory)
        self.store = make_store(self.storage, self.clock, catalog=CATALOG)
        ids = SequentialIds("m")
        self.wallet = WalletService(self.storage.transactions, self.storage.wallet_queries, self.clock, ids)
        self.funded = dict.fromkeys(FANS, 0)
        self.bought: dict[tuple[UserId, str], ItemId] = {}  # (fan, tap) -> item
        self.grants = 0
        for fan in FANS:  # enough to meet the stock and the limits early, not enough to buy everything
            self.fund(fan, 8)

    @rule(fan=st.sampled_from(FANS), amount=st.integers(1, 12))
    def fund(self, fan: UserId, amount: int) -> None:
        self.grants += 1
        self.runner.run(self.wallet.credit(fan, amount, ADMIN_GRANT, idempotency_key=f"g{self.grants}"))
        self.funded[fan] += amount

    @rule(fan=st.sampled_from(FANS), item=st.sampled_from(ITEMS), tap=st.sampled_from(["a", "b", "c", "d"]))
    def buy(self, fan: UserId, item: ItemId, tap: str) -> None:
        key = (fan, f"{item}:{tap}")
        try:
            result = self.runner.run(self.store.purchase(fan, item, tap=tap))
        except DomainError:
            assert key not in self.bought  # a tap that bought is replayed, never refused
            return
        assert result.fresh == (key not in self.bought)
        self.bought[key] = item

    def _count(self, item: ItemId, fan: UserId | None = None) -> int:
        return sum(1 for (who, _), bought in self.bought.items() if bought == item and fan in (None, who))

    @invariant()
    def stock_and_limits_hold(self) -> None:
        sold = self.runner.run(self.storage.store_queries.sold(list(ITEMS)))
        assert sold.get(MEDAL, 0) == self._count(MEDAL) <= MEDAL_STOCK
        assert sold.get(CANDLE, 0) == self._count(CANDLE) <= CANDLE_STOCK
        assert sold.get(ROSE, 0) == self._count(ROSE)
        for fan in FANS:
            assert self._count(ROSE, fan) <= ROSE_LIMIT

    @invariant()
    def wallets_and_mochilas_agree(self) -> None:
        for fan in FANS:
            spent = sum(PRICES[item] for (who, _), item in self.bought.items() if who == fan)
            balance = self.runner.run(self.storage.wallet_queries.balance(fan)).balance
            assert balance == self.funded[fan] - spent >= 0
            held = self.runner.run(self.storage.inventory_queries.quantities(fan, list(ITEMS)))
            assert dict(held) == {item: n for item in ITEMS if (n := self._count(item, fan))}
        assert self.runner.run(self.storage.wallet_audit.ledger_mismatches()) == []


def test_purchases_never_oversell_overspend_or_buy_a_tap_twice() -> None:
    """Every sequence of funding and taps keeps stock, limits, wallets and mochilas in agreement."""
    run_machine(StoreMachine, examples=25, steps=30)
