"""Unit-test wiring: the core's services over the in-memory backend and a fake clock."""

import pytest

from yabot_adapters.memory import InMemoryStorage
from yabot_core.gamification import WalletService
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.users import UserDirectory


@pytest.fixture(name="storage")
def storage_fixture(clock: FakeClock) -> InMemoryStorage:
    return InMemoryStorage(clock)


@pytest.fixture(name="wallet")
def wallet_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> WalletService:
    return WalletService(storage.transactions, storage.wallet_queries, clock, ids)


@pytest.fixture(name="users")
def users_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> UserDirectory:
    return UserDirectory(storage.transactions, storage.user_queries, clock, ids)
