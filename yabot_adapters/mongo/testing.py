"""Starts nx-27017, the SQLite-backed MongoDB wire-protocol test server, for tests, benchmarks and developers.

nx-27017 is a development dependency (``pip install -e '.[dev]'``). It cannot isolate concurrent transactions,
so give ``MongoStorage`` ``exclusive=True`` on it (ADR 0004).
"""

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from pymongo import MongoClient
from pymongo.errors import PyMongoError

NX_27017: Final = "nx-27017"
STARTUP_SECONDS: Final = 30.0


@contextmanager
def nx_27017(root: Path | None = None) -> Iterator[str]:
    """Run nx-27017 on a free loopback port, one SQLite file per database under ``root``; yield its URL.

    ``root`` defaults to a temporary directory removed afterwards. The server is stopped on exit.

    Raises:
        RuntimeError: nx-27017 is not installed, or never answered (the message carries its logs).
    """
    if root is None:
        with (
            tempfile.TemporaryDirectory(prefix="yabot-nx-27017-") as temporary,
            nx_27017(Path(temporary)) as url,
        ):
            yield url
        return
    server, url = _start(root)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _start(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the server and wait until it answers; try another port if it dies at once (port taken)."""
    problem = "was not started"
    command: list[str] = []
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
            str(root / "nx-27017.log"),
            "--pid-file",
            str(root / "nx-27017.pid"),
        ]
        with (root / f"output-{attempt}.log").open("wb") as output:
            server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603  (our own dev tool)
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
        problem = f"exited with code {server.returncode}"
    logs = "\n".join(
        f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in sorted(root.glob("*.log"))
    )
    msg = f"nx-27017 {problem}: {' '.join(command)}\n{logs}"
    raise RuntimeError(msg)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _nx_command() -> str:
    beside_python = Path(sys.executable).parent / NX_27017
    found = str(beside_python) if beside_python.exists() else shutil.which(NX_27017)
    if found is None:
        msg = "nx-27017 is not installed: run `make test` once (or pip install -e '.[dev]')"
        raise RuntimeError(msg)
    return found


def _answers(url: str) -> bool:
    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=250, connectTimeoutMS=250)
    try:
        with client:
            client.admin.command("ping")
    except PyMongoError:
        return False
    return True
