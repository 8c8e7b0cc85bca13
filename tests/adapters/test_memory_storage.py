"""The in-memory backend passes the storage contract (which keeps the fakes honest)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from tests.contracts.factory import StorageFactory
from tests.contracts.storage import StorageContract
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock


@asynccontextmanager
async def memory_storage(clock: FakeClock) -> AsyncIterator[StorageBackend]:
    storage = InMemoryStorage(clock)
    await storage.open()
    try:
        yield storage
    finally:
        await storage.close()


class TestInMemoryStorage(StorageContract):
    @pytest.fixture(name="storage_factory")
    def storage_factory_fixture(self) -> StorageFactory:
        return memory_storage
