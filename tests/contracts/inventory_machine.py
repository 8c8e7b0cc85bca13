"""A hypothesis state machine driving the mochila on one backend, compared with a plain model.

Random adds, removes, uses and combinations, replayed keys, reused keys and bad quantities; after every step
each user's mochila on the backend is exactly the model's: quantities never negative, a refused operation
(combinations included) changed nothing, a replayed key returned its first result and a reused one was
refused.
"""

import asyncio
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.contracts.factory import StorageFactory
from tests.contracts.inventory_catalog import BOUQUET, CHEST, KEY, LEFT, LETTER, RIGHT, ROSE, small_catalog
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
from yabot_core.kernel import FakeClock, IdempotencyKeyReusedError, SequentialIds, UserId

USER_IDS = (UserId(1), UserId(2))
USERS = st.sampled_from(USER_IDS)
ITEMS = st.sampled_from([LEFT, RIGHT, LETTER, ROSE, BOUQUET, KEY, CHEST])
QUANTITIES = st.integers(min_value=1, max_value=4)
KEYS = st.sampled_from([f"k{n}" for n in range(10)])
BAD_QUANTITIES = st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_QUANTITY + 1), st.just(True))

Outcome = InventoryOperation | type[Exception]


@dataclass
class Model:
    """The plain truth: quantities by (user, item), and what each key was first used for and returned."""

    catalog: ItemCatalog
    held: dict[tuple[UserId, ItemId], int] = field(default_factory=dict)
    keys: dict[str, tuple[object, ...]] = field(default_factory=dict)
    results: dict[str, InventoryOperation] = field(default_factory=dict)

    def quantity(self, user: UserId, item: ItemId) -> int:
        return self.held.get((user, item), 0)

    def expect(self, key: str, fingerprint: tuple[object, ...], deltas: dict[ItemId, int]) -> Outcome | None:
        """The error the operation must meet, the first result of a replay, or ``None`` when it applies."""
        known = self.keys.get(key)
        if known is not None:
            return self.results[key] if known == fingerprint else IdempotencyKeyReusedError
        user = fingerprint[0]
        assert isinstance(user, int)
        for item, delta in deltas.items():
            after = self.quantity(UserId(user), item) + delta
            if after < 0:
                return NotEnoughItemsError
            limit = self.catalog.item(item).limit if delta > 0 else None
            if limit == 1 and after > 1:
                return ItemNotStackableError
            if limit is not None and after > limit:
                return MaxQuantityError
        return None

    def apply(
        self, key: str, fingerprint: tuple[object, ...], deltas: dict[ItemId, int], result: InventoryOperation
    ) -> None:
        user = result.user_id
        for item, delta in deltas.items():
            self.held[user, item] = self.quantity(user, item) + delta
        self.keys[key] = fingerprint
        self.results[key] = result


def inventory_machine(factory: StorageFactory) -> type[RuleBasedStateMachine]:
    """Build the state machine class for backends made by ``factory``."""

    class InventoryMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.runner = asyncio.Runner()
            self.clock = FakeClock()
            self.context = factory(self.clock)
            self.storage = self.runner.run(self.context.__aenter__())
            catalog = small_catalog()
            self.mochila = Mochila(
                self.storage.transactions,
                self.storage.inventory_queries,
                catalog,
                self.clock,
                SequentialIds("o"),
            )
            self.model = Model(catalog)

        def teardown(self) -> None:
            try:
                self.runner.run(self.context.__aexit__(None, None, None))
            finally:
                self.runner.close()

        def _run(
            self, key: str, fingerprint: tuple[object, ...], deltas: dict[ItemId, int], call: object
        ) -> None:
            expected = self.model.expect(key, fingerprint, deltas)
            if isinstance(expected, type):
                try:
                    self.runner.run(call)  # type: ignore[arg-type]
                except expected:
                    return
                raise AssertionError(f"expected {expected.__name__}")
            result: InventoryOperation = self.runner.run(call)  # type: ignore[arg-type]
            if expected is not None:
                assert result == expected, "a replayed key did not return its first result"
                return
            moved = {item: delta for item, delta in deltas.items() if delta}
            assert {change.item_id: change.delta for change in result.changes} == moved
            for change in result.changes:
                after = self.model.quantity(result.user_id, change.item_id) + change.delta
                assert change.quantity_after == after
            self.model.apply(key, fingerprint, deltas, result)

        @rule(user=USERS, item=ITEMS, quantity=QUANTITIES, key=KEYS)
        def add(self, user: UserId, item: ItemId, quantity: int, key: str) -> None:
            fingerprint = (user, OperationKind.ADD, (item,), quantity, "tests")
            call = self.mochila.add(user, item, quantity, reason="tests", idempotency_key=key)
            self._run(key, fingerprint, {item: quantity}, call)

        @rule(user=USERS, item=ITEMS, quantity=QUANTITIES, key=KEYS)
        def remove(self, user: UserId, item: ItemId, quantity: int, key: str) -> None:
            fingerprint = (user, OperationKind.REMOVE, (item,), quantity, "tests")
            call = self.mochila.remove(user, item, quantity, reason="tests", idempotency_key=key)
            self._run(key, fingerprint, {item: -quantity}, call)

        @rule(user=USERS, item=ITEMS, key=KEYS)
        def use(self, user: UserId, item: ItemId, key: str) -> None:
            fingerprint = (user, OperationKind.USE, (item,), 1, "used")
            self._run(key, fingerprint, {item: -1}, self.mochila.use(user, item, idempotency_key=key))

        @rule(user=USERS, first=ITEMS, second=ITEMS, key=KEYS)
        def combine(self, user: UserId, first: ItemId, second: ItemId, key: str) -> None:
            fingerprint = (user, OperationKind.COMBINE, pair_key(first, second), 1, "combined")
            call = self.mochila.combine(user, first, second, idempotency_key=key)
            recipe = self.model.catalog.recipe_for(first, second)
            if recipe is None and key not in self.model.keys:
                try:
                    self.runner.run(call)
                except NoRecipeError:
                    return
                raise AssertionError("expected NoRecipeError")
            deltas: dict[ItemId, int] = {}
            for ingredient in (first, second):
                deltas[ingredient] = deltas.get(ingredient, 0) - 1
            if recipe is not None:
                deltas[recipe.result] = deltas.get(recipe.result, 0) + 1
            self._run(key, fingerprint, deltas, call)

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
    run_state_machine_as_test(
        inventory_machine(factory),
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
