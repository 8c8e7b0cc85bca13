"""The mochila over the in-memory backend and the suites' small catalog."""

import pytest

from tests.contracts.inventory_catalog import small_catalog
from yabot_adapters.memory import InMemoryStorage
from yabot_core.inventory import ItemGrants, Mochila
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.users import UserDirectory


@pytest.fixture(name="mochila")
def mochila_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> Mochila:
    return Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids)


@pytest.fixture(name="grants")
def grants_fixture(storage: InMemoryStorage, users: UserDirectory, mochila: Mochila) -> ItemGrants:
    return ItemGrants(storage.transactions, users, mochila)
