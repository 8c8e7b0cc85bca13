"""The SQLite storage backend: one WAL file, shared safely by the bot and short-lived CLI processes."""

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from yabot_adapters.sqlite.connection import Reader, Synchronous, connect, retry_busy, translated
from yabot_adapters.sqlite.dead_letters import SqliteDeadLetterQueries
from yabot_adapters.sqlite.outbox import SqliteOutboxStore
from yabot_adapters.sqlite.schema import migrate
from yabot_adapters.sqlite.transactions import SqliteTransactions
from yabot_adapters.sqlite.users import SqliteUserQueries
from yabot_adapters.sqlite.wallets import SqliteWalletQueries
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import Clock, UnavailableError

if TYPE_CHECKING:
    import sqlite3

log = logging.getLogger(__name__)


class SqliteStorage(StorageBackend):
    """Every port of the core in one SQLite file (WAL mode), correct across processes sharing it.

    Writes of this process go through one connection and commit in groups (see :class:`GroupCommitWriter`);
    reads use a second connection that sees the last commit without waiting for writers. Another process's
    write lock is waited for asynchronously, never on the event loop's thread. ``synchronous="FULL"`` makes
    every commit survive a power cut; ``"NORMAL"`` only an application crash, for much cheaper commits.
    """

    def __init__(self, path: Path, clock: Clock, *, synchronous: Synchronous = "FULL") -> None:
        self._path = path
        self._synchronous = synchronous
        self._connections: tuple[sqlite3.Connection, sqlite3.Connection] | None = None
        self._writer = GroupCommitWriter()
        self._reader = Reader()
        self._transactions = SqliteTransactions(self._writer, clock)
        self._wallet_queries = SqliteWalletQueries(self._reader)
        self._user_queries = SqliteUserQueries(self._reader)
        self._outbox = SqliteOutboxStore(self._reader, self._writer)
        self._dead_letter_queries = SqliteDeadLetterQueries(self._reader)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def transactions(self) -> SqliteTransactions:
        """Atomic units of work."""
        return self._transactions

    @property
    def wallet_queries(self) -> SqliteWalletQueries:
        """Committed balances and ledgers."""
        return self._wallet_queries

    @property
    def user_queries(self) -> SqliteUserQueries:
        """Committed users."""
        return self._user_queries

    @property
    def outbox(self) -> SqliteOutboxStore:
        """Committed events awaiting delivery."""
        return self._outbox

    @property
    def dead_letter_queries(self) -> SqliteDeadLetterQueries:
        """Dead letters."""
        return self._dead_letter_queries

    async def open(self) -> None:
        """Create the file if needed, switch it to WAL and apply the migrations it lacks.

        Raises:
            UnavailableError: the file cannot be opened, or stays locked by another process.
        """
        if self._connections is not None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UnavailableError(detail={"storage": "sqlite", "error": str(exc)}) from exc
        with translated():
            write_conn = connect(self._path, synchronous=self._synchronous)
            read_conn = connect(self._path, synchronous=self._synchronous)
        try:
            # WAL is a property of the file: the first process to open it switches it, for every process.
            mode = await retry_busy(lambda: write_conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if mode != "wal":
                # Some file systems (network mounts) refuse WAL; writers would then block readers.
                log.warning("SQLite kept journal mode %r for %s instead of WAL", mode, self._path)
            await retry_busy(lambda: migrate(write_conn), in_thread=True)
            with translated():
                read_conn.execute("PRAGMA query_only = ON")
        except BaseException:
            write_conn.close()
            read_conn.close()
            raise
        self._connections = (write_conn, read_conn)
        self._reader.attach(read_conn)
        self._writer.start(write_conn)

    async def close(self) -> None:
        """Refuse new work, let queued work commit, then close both connections."""
        connections, self._connections = self._connections, None
        if connections is None:
            return
        await self._writer.stop()
        self._reader.close()
        for conn in connections:
            conn.close()

    async def ping(self) -> None:
        """Return if the file answers a trivial read; raise ``UnavailableError`` otherwise."""
        await self._reader.read(lambda conn: conn.execute("SELECT 1").fetchall())

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit of this process that recorded events."""
        self._writer.add_commit_listener(listener)
