"""Fixtures shared by every suite."""

import pytest

from tests.contracts.common import record_everything
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService

pytest_plugins = ["tests.servers.mongo", "tests.servers.redis"]


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="ids")
def ids_fixture() -> SequentialIds:
    return SequentialIds()


@pytest.fixture(name="storage")
def storage_fixture(clock: FakeClock) -> InMemoryStorage:
    """The in-memory backend: the real, complete fake every suite builds services on (events recorded)."""
    storage = InMemoryStorage(clock)
    record_everything(storage)
    return storage


@pytest.fixture(name="wallet")
def wallet_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> WalletService:
    return WalletService(storage.transactions, storage.wallet_queries, clock, ids)


@pytest.fixture(name="users")
def users_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> UserDirectory:
    return UserDirectory(storage.transactions, storage.user_queries, clock, ids)
