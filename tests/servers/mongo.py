"""MongoDB for tests: the nx-27017 wire-protocol server on a free loopback port, and a real one if configured.

``mongo_server`` is parametrized over the servers available: nx-27017 always, and the real MongoDB named by
``YABOT_TEST_MONGO_URL`` when that is set. ``mongo_storage_factory`` makes opened ``MongoStorage`` backends,
each on a fresh database that is dropped afterwards.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from tests.contracts.factory import StorageFactory
from yabot_adapters.mongo import MongoStorage
from yabot_core.kernel import Clock

MONGO_URL_VARIABLE = "YABOT_TEST_MONGO_URL"
NX_27017 = "nx-27017"
MONGODB = "mongodb"
STARTUP_SECONDS = 30.0


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _nx_command() -> str:
    beside_python = Path(sys.executable).parent / NX_27017
    found = str(beside_python) if beside_python.exists() else shutil.which(NX_27017)
    if found is None:
        pytest.fail("nx-27017 is not installed: run `make test` (or pip install -e '.[dev]')")
    return found


def _answers(url: str) -> bool:
    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=250, connectTimeoutMS=250)
    try:
        with client:
            client.admin.command("ping")
    except PyMongoError:
        return False
    return True


def _start_nx(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start nx-27017 on a free port and wait until it answers; retry on another port if it dies."""
    log = root / "nx-27017.log"
    for attempt in range(3):
        port = _free_port()
        url = f"mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=5000"
        command = [
            _nx_command(),
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--data-dir",
            str(root / "data"),
            "--log-file",
            str(log),
            "--pid-file",
            str(root / "nx-27017.pid"),
        ]
        with (root / f"output-{attempt}.log").open("wb") as output:
            server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while server.poll() is None and time.monotonic() < deadline:
            if _answers(url):
                return server, url
            time.sleep(0.1)
        if server.poll() is None:
            server.kill()
            server.wait()
            problem = f"did not answer on port {port} within {STARTUP_SECONDS:.0f}s"
            break  # alive but silent: another port will not help
        problem = f"exited with code {server.returncode}"  # perhaps the port was taken meanwhile: retry
    logs = "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in sorted(root.glob("*.log"))
    )
    pytest.fail(f"nx-27017 {problem}: {' '.join(command)}\n{logs}")


@pytest.fixture(scope="session", name="nx_27017_url")
def nx_27017_url_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start nx-27017 (one SQLite file per database) for the whole session; yield its URL."""
    server, url = _start_nx(tmp_path_factory.mktemp("nx-27017"))
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


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
