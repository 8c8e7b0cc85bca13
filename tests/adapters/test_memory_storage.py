"""The in-memory backend passes the storage contract (which keeps the fakes honest)."""

from contextlib import AbstractAsyncContextManager

import pytest

from tests.contracts.factory import StorageFactory
from tests.contracts.storage import StorageContract
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageBackend, opened
from yabot_core.kernel import FakeClock


def memory_storage(clock: FakeClock) -> AbstractAsyncContextManager[StorageBackend]:
    return opened(InMemoryStorage(clock))


class TestInMemoryStorage(StorageContract):
    @pytest.fixture(name="storage_factory")
    def storage_factory_fixture(self) -> StorageFactory:
        return memory_storage
