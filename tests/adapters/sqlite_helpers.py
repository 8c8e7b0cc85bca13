"""Programs the SQLite tests start as other processes sharing one database file.

Run as ``python -m tests.adapters.sqlite_helpers <command> <path> [args]``; each talks to the test through
lines on stdin and stdout, so the test waits on events, never on sleeps.
"""

import asyncio
import json
import resource
import signal
import sqlite3
import sys
from pathlib import Path

from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.system import SystemClock
from yabot_core.kernel import SequentialIds, UnavailableError, UserId
from yabot_core.wallet import ADMIN_GRANT, WalletService

WALLET_OWNER = UserId(4242)
CREDIT = 3


async def credit_many(wallet: WalletService, prefix: str, count: int, *, streams: int = 10) -> None:
    """Credit ``count`` times under keys ``<prefix>-<n>``, from ``streams`` concurrent sequential callers.

    Several short streams, rather than one burst, make many small batches that interleave with another
    process's.
    """

    async def stream(first: int) -> None:
        for n in range(first, count, streams):
            await wallet.credit(WALLET_OWNER, CREDIT, ADMIN_GRANT, idempotency_key=f"{prefix}-{n}")

    await asyncio.gather(*(stream(s) for s in range(streams)))


def tell(line: str) -> None:
    print(line, flush=True)  # stdout is how this process talks to the test


async def credits(path: Path, count: int, prefix: str) -> None:
    """Open the file, say ``ready``, wait for ``go``, credit ``count`` times, say ``done``."""
    storage = SqliteStorage(path, SystemClock())
    await storage.open()
    try:
        wallet = WalletService(
            storage.transactions, storage.wallet_queries, SystemClock(), SequentialIds(prefix)
        )
        tell("ready")
        await asyncio.to_thread(sys.stdin.readline)
        await credit_many(wallet, prefix, count)
        tell("done")
    finally:
        await storage.close()


def hold_lock(path: Path) -> None:
    """Take the file's write lock, say ``locked``, keep it until a line arrives on stdin, then commit."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO leases (name, owner, expires_at) VALUES ('cli', 'other process', '')")
    tell("locked")
    sys.stdin.readline()
    conn.execute("COMMIT")
    conn.close()
    tell("released")


async def commit_failure(path: Path) -> None:
    """Make every COMMIT past a file-size limit fail (as a full disk would), then report what callers saw."""
    storage = SqliteStorage(path, SystemClock())
    await storage.open()
    wallet = WalletService(storage.transactions, storage.wallet_queries, SystemClock(), SequentialIds("f"))
    await wallet.credit(WALLET_OWNER, CREDIT, ADMIN_GRANT, idempotency_key="before")
    # Writes of a WAL transaction stay in the page cache until COMMIT appends them to the WAL file, so a
    # limit a little above the files' current sizes lets statements pass and makes the COMMIT fail.
    sizes = [p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG from write(), not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (max([*sizes, 64 * 1024]) + 16 * 1024, hard))

    async def credit(n: int) -> str:
        try:
            await wallet.credit(WALLET_OWNER, CREDIT, ADMIN_GRANT, idempotency_key=f"big-{n}", note="x" * 200)
        except UnavailableError as exc:
            # The driver's words are the cause, for operators; the detail (which API clients see) has none.
            return f"unavailable:{type(exc.__cause__).__name__}:{json.dumps(exc.detail)}"
        except Exception as exc:  # reported to the test, which fails on it
            return f"other:{exc!r}"
        return "ok"

    outcomes = await asyncio.gather(*(credit(n) for n in range(200)))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    await wallet.credit(WALLET_OWNER, CREDIT, ADMIN_GRANT, idempotency_key="after")
    await storage.close()
    tell(json.dumps({"outcomes": outcomes}))


def main() -> None:
    command, path = sys.argv[1], Path(sys.argv[2])
    if command == "credits":
        asyncio.run(credits(path, int(sys.argv[3]), sys.argv[4]))
    elif command == "hold-lock":
        hold_lock(path)
    elif command == "commit-failure":
        asyncio.run(commit_failure(path))
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
