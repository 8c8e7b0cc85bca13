"""The fixture every contract suite builds on: a fresh, opened backend that records every event."""

from collections.abc import AsyncIterator

import pytest

from tests.contracts.common import record_everything
from tests.contracts.factory import StorageFactory
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock


class ContractBase:
    """Subclasses (one per backend) provide ``storage_factory``; the suites get ``storage``."""

    @pytest.fixture(name="storage")
    async def storage_fixture(
        self, storage_factory: StorageFactory, clock: FakeClock
    ) -> AsyncIterator[StorageBackend]:
        async with storage_factory(clock) as storage:
            record_everything(storage)
            yield storage
