"""MongoDB for tests: the nx-27017 wire-protocol server on a free loopback port, and a real one if configured.

``mongo_server`` is parametrized over the servers available: nx-27017 always, and the real MongoDB named by
``YABOT_TEST_MONGO_URL`` when that is set. ``mongo_storage_factory`` makes opened ``MongoStorage`` backends,
each on a fresh database that is dropped afterwards.
"""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import pytest

from tests.contracts.factory import StorageFactory
from yabot_adapters.mongo import MongoStorage
from yabot_adapters.mongo.testing import NX_27017, nx_27017
from yabot_core.kernel import Clock

MONGO_URL_VARIABLE = "YABOT_TEST_MONGO_URL"
MONGODB = "mongodb"


@dataclass(frozen=True, slots=True)
class MongoServer:
    """A server the Mongo adapters can be tested on."""

    name: str
    url: str
    exclusive: bool
    """Whether the adapter must serialize its operations (servers that cannot isolate transactions)."""


def fresh_database_name() -> str:
    """Return a database name no other test uses (valid on MongoDB and as nx-27017's file name)."""
    return f"yabot_test_{uuid.uuid4().hex[:16]}"


def make_storage(server: MongoServer, database: str, clock: Clock) -> MongoStorage:
    """Return an unopened backend on ``database`` of ``server``, owning its client."""
    return MongoStorage.from_url(server.url, database, clock, exclusive=server.exclusive)


@asynccontextmanager
async def mongo_storage(server: MongoServer, clock: Clock) -> AsyncIterator[MongoStorage]:
    """Yield an opened backend on a fresh database; drop the database and close the backend on exit."""
    storage = make_storage(server, fresh_database_name(), clock)
    try:
        await storage.open()
        yield storage
    finally:
        try:
            await storage.client.drop_database(storage.database.name)
        finally:
            await storage.close()


def _available_servers() -> list[str]:
    return [NX_27017, MONGODB] if os.environ.get(MONGO_URL_VARIABLE) else [NX_27017]


@pytest.fixture(scope="session", name="nx_27017_url")
def nx_27017_url_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start nx-27017 (one SQLite file per database) for the whole session; yield its URL."""
    try:
        with nx_27017(tmp_path_factory.mktemp("nx-27017")) as url:
            yield url
    except RuntimeError as exc:  # not installed, or never answered: the message carries its logs
        pytest.fail(str(exc))


@pytest.fixture(scope="session", name="mongo_server", params=_available_servers())
def mongo_server_fixture(request: pytest.FixtureRequest) -> MongoServer:
    """Each available MongoDB server in turn: nx-27017, then the real one if configured."""
    if request.param == NX_27017:
        # nx-27017 runs every session on one SQLite connection, so its transactions are not isolated.
        return MongoServer(NX_27017, request.getfixturevalue("nx_27017_url"), exclusive=True)
    return MongoServer(MONGODB, os.environ[MONGO_URL_VARIABLE], exclusive=False)


@pytest.fixture(name="mongo_storage_factory")
def mongo_storage_factory_fixture(mongo_server: MongoServer) -> StorageFactory:
    """Make opened ``MongoStorage`` backends on ``mongo_server``, each on a fresh database."""

    def factory(clock: Clock) -> AbstractAsyncContextManager[MongoStorage]:
        return mongo_storage(mongo_server, clock)

    return factory
