"""Fresh storage backends for one run each: memory, SQLite on a temporary file, MongoDB on nx-27017."""

import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.mongo import MongoStorage
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.sqlite.connection import Synchronous
from yabot_adapters.storage import StorageBackend, opened
from yabot_core.kernel import Clock

OpenBackend = Callable[[Clock], AbstractAsyncContextManager[StorageBackend]]
"""Opens a fresh backend for one run; closing it removes its data."""


def memory(clock: Clock) -> AbstractAsyncContextManager[StorageBackend]:
    """A fresh in-memory backend."""
    return opened(InMemoryStorage(clock))


def sqlite(synchronous: Synchronous) -> OpenBackend:
    """Fresh SQLite backends, each on a new file in a new temporary directory, with ``synchronous``."""

    @asynccontextmanager
    async def open_sqlite(clock: Clock) -> AsyncIterator[StorageBackend]:
        with tempfile.TemporaryDirectory(prefix="yabot-bench-sqlite-") as root:
            async with opened(
                SqliteStorage(Path(root) / "yabot.db", clock, synchronous=synchronous)
            ) as storage:
                yield storage

    return open_sqlite


def mongo(url: str) -> OpenBackend:
    """Fresh MongoStorage backends on ``url`` (nx-27017, hence ``exclusive=True``), each on a new database."""

    @asynccontextmanager
    async def open_mongo(clock: Clock) -> AsyncIterator[StorageBackend]:
        database = f"yabot_bench_{uuid.uuid4().hex[:16]}"
        storage = MongoStorage.from_url(url, database, clock, exclusive=True)
        try:
            await storage.open()
            yield storage
        finally:
            try:
                await storage.client.drop_database(database)
            finally:
                await storage.close()

    return open_mongo
