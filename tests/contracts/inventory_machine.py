"""A hypothesis state machine driving the mochila on one backend, compared with a plain model.

Random adds, removes, uses and combinations (any pair, and pairs that have a recipe), replays of keys already
applied, reuses of them for other operations, and bad quantities. After every step each user's mochila on the
backend is exactly the model's: quantities never negative, a refused operation (a combination included)
changed nothing, a replayed key returned its first result and a reused one was refused.
"""

from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    invariant,
    multiple,
    rule,
)

from tests.contracts.factory import StorageFactory
from tests.contracts.inventory_catalog import (
    BOUQUET,
    CHEST,
    KEY,
    LEFT,
    LETTER,
    RIGHT,
    ROSE,
    ROSE_LIMIT,
    small_catalog,
)
from tests.contracts.machines import StorageMachine, run_machine
from yabot_core.inventory import (
    MAX_QUANTITY,
    InvalidQuantityError,
    InventoryOperation,
    ItemCatalog,
    ItemId,
    ItemNotStackableError,
    MaxQuantityError,
    Mochila,
    NoRecipeError,
    NotEnoughItemsError,
    OperationKind,
    pair_key,
)
from yabot_core.kernel import IdempotencyKeyReusedError, SequentialIds, UserId

USER_IDS = (UserId(1), UserId(2))
USERS = st.sampled_from(USER_IDS)
ITEMS = st.sampled_from([LEFT, RIGHT, LETTER, ROSE, BOUQUET, KEY, CHEST])
RECIPE_PAIRS = st.sampled_from([recipe.ingredients for recipe in small_catalog().recipes])
PAIRS = st.one_of(st.tuples(ITEMS, ITEMS), RECIPE_PAIRS, RECIPE_PAIRS.map(lambda pair: pair[::-1]))
QUANTITIES = st.integers(min_value=1, max_value=ROSE_LIMIT + 1)
KEYS = st.integers(min_value=0, max_value=10**9).map(lambda n: f"k{n}")
BAD_QUANTITIES = st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_QUANTITY + 1), st.just(True))

Request = tuple[UserId, OperationKind, tuple[ItemId, ...], int]
"""What a rule asks: user, kind, items (a combination's pair as given), quantity."""


@dataclass
class Model:
    """The plain truth: quantities by (user, item); each key's request and first result."""

    catalog: ItemCatalog
    held: dict[tuple[UserId, ItemId], int] = field(default_factory=dict)
    requests: dict[str, Request] = field(default_factory=dict)
    results: dict[str, InventoryOperation] = field(default_factory=dict)

    def quantity(self, user: UserId, item: ItemId) -> int:
        return self.held.get((user, item), 0)

    def deltas(self, request: Request) -> dict[ItemId, int] | None:
        """Each item's change, in the order the mochila checks them; ``None`` for a pair without recipe."""
        _, kind, items, quantity = request
        if kind is OperationKind.ADD:
            return {items[0]: quantity}
        if kind is not OperationKind.COMBINE:
            return {items[0]: -quantity}
        recipe = self.catalog.recipe_for(*items)
        if recipe is None:
            return None
        deltas: dict[ItemId, int] = {}
        for ingredient in items:
            deltas[ingredient] = deltas.get(ingredient, 0) - 1
        deltas[recipe.result] = deltas.get(recipe.result, 0) + 1
        return deltas

    def refusal(self, request: Request, deltas: dict[ItemId, int]) -> type[Exception] | None:
        """The error a new request must meet, or ``None`` when it applies."""
        user = request[0]
        for item, delta in deltas.items():
            after = self.quantity(user, item) + delta
            if after < 0:
                return NotEnoughItemsError
            limit = self.catalog.item(item).limit if delta > 0 else None
            if limit == 1 and after > 1:
                return ItemNotStackableError
            if limit is not None and after > limit:
                return MaxQuantityError
        return None


def fingerprint(request: Request) -> tuple[object, ...]:
    """What a replay of a key must repeat: a combination's pair in either order is the same."""
    user, kind, items, quantity = request
    return (user, kind, pair_key(*items) if kind is OperationKind.COMBINE else items, quantity)


def inventory_machine(factory: StorageFactory) -> type[StorageMachine]:
    """Build the state machine class for backends made by ``factory``."""

    class InventoryMachine(StorageMachine):
        applied = Bundle("applied")

        def __init__(self) -> None:
            super().__init__(factory)
            catalog = small_catalog()
            self.mochila = Mochila(
                self.storage.transactions,
                self.storage.inventory_queries,
                catalog,
                self.clock,
                SequentialIds("o"),
            )
            self.model = Model(catalog)

        def _call(self, request: Request, key: str) -> Coroutine[Any, Any, InventoryOperation]:
            user, kind, items, quantity = request
            if kind is OperationKind.ADD:
                return self.mochila.add(user, items[0], quantity, reason="tests", idempotency_key=key)
            if kind is OperationKind.REMOVE:
                return self.mochila.remove(user, items[0], quantity, reason="tests", idempotency_key=key)
            if kind is OperationKind.USE:
                return self.mochila.use(user, items[0], idempotency_key=key)
            return self.mochila.combine(user, *items, idempotency_key=key)

        def _refused(self, error: type[Exception], request: Request, key: str) -> None:
            try:
                self.runner.run(self._call(request, key))
            except error:
                return
            raise AssertionError(f"expected {error.__name__}")

        def _run(self, request: Request, key: str) -> bool:
            """Send the request; check it against the model; return whether it applied as a new operation."""
            known = self.model.requests.get(key)
            if known is not None:
                if fingerprint(known) != fingerprint(request):
                    self._refused(IdempotencyKeyReusedError, request, key)
                else:
                    replayed = self.runner.run(self._call(request, key))
                    assert replayed == self.model.results[key], "a replay did not return the first result"
                return False
            deltas = self.model.deltas(request)
            if deltas is None:
                self._refused(NoRecipeError, request, key)
                return False
            error = self.model.refusal(request, deltas)
            if error is not None:
                self._refused(error, request, key)
                return False
            result = self.runner.run(self._call(request, key))
            user = request[0]
            moved = {item: delta for item, delta in deltas.items() if delta}
            assert {change.item_id: change.delta for change in result.changes} == moved
            for change in result.changes:
                assert change.quantity_after == self.model.quantity(user, change.item_id) + change.delta
            for item, delta in moved.items():
                self.model.held[user, item] = self.model.quantity(user, item) + delta
            self.model.requests[key] = request
            self.model.results[key] = result
            return True

        def _new(self, request: Request, key: str) -> object:
            return key if self._run(request, key) else multiple()

        @rule(target=applied, user=USERS, item=ITEMS, quantity=QUANTITIES, key=KEYS)
        def add(self, user: UserId, item: ItemId, quantity: int, key: str) -> object:
            return self._new((user, OperationKind.ADD, (item,), quantity), key)

        @rule(target=applied, user=USERS, item=ITEMS, quantity=QUANTITIES, key=KEYS)
        def remove(self, user: UserId, item: ItemId, quantity: int, key: str) -> object:
            return self._new((user, OperationKind.REMOVE, (item,), quantity), key)

        @rule(target=applied, user=USERS, item=ITEMS, key=KEYS)
        def use(self, user: UserId, item: ItemId, key: str) -> object:
            return self._new((user, OperationKind.USE, (item,), 1), key)

        @rule(target=applied, user=USERS, pair=RECIPE_PAIRS, keys=st.tuples(KEYS, KEYS))
        def add_ingredients(self, user: UserId, pair: tuple[ItemId, ItemId], keys: tuple[str, str]) -> object:
            """Add each ingredient of a recipe (two additions), so that combinations find them held."""
            added = [
                key
                for item, key in zip(pair, keys, strict=True)
                if self._run((user, OperationKind.ADD, (item,), 1), key)
            ]
            return multiple(*added)

        @rule(target=applied, user=USERS, pair=PAIRS, key=KEYS)
        def combine(self, user: UserId, pair: tuple[ItemId, ItemId], key: str) -> object:
            return self._new((user, OperationKind.COMBINE, pair, 1), key)

        @rule(key=applied, swapped=st.booleans())
        def replay(self, key: str, swapped: bool) -> None:
            user, kind, items, quantity = self.model.requests[key]
            self._run((user, kind, items[::-1] if swapped else items, quantity), key)

        @rule(key=applied, user=USERS, item=ITEMS, quantity=QUANTITIES)
        def reuse(self, key: str, user: UserId, item: ItemId, quantity: int) -> None:
            self._run((user, OperationKind.ADD, (item,), quantity), key)

        @rule(user=USERS, item=ITEMS, quantity=BAD_QUANTITIES, key=KEYS)
        def bad_quantity(self, user: UserId, item: ItemId, quantity: int, key: str) -> None:
            try:
                self.runner.run(self.mochila.add(user, item, quantity, reason="tests", idempotency_key=key))
            except InvalidQuantityError:
                return
            raise AssertionError("expected InvalidQuantityError")

        @invariant()
        def mochilas_match_the_model(self) -> None:
            for user in USER_IDS:
                view = self.runner.run(self.mochila.inventory(user, limit=100))
                found = {held.item_id: held.quantity for held in view.items}
                wanted = {item: q for (owner, item), q in self.model.held.items() if owner == user and q > 0}
                assert found == wanted
                assert view.total == len(wanted)
                assert all(quantity > 0 for quantity in found.values())

    return InventoryMachine


def run_inventory_machine(factory: StorageFactory, *, examples: int, steps: int = 30) -> None:
    """Run the state machine against backends made by ``factory``."""
    run_machine(inventory_machine(factory), examples=examples, steps=steps)
