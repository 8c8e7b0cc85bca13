"""The SQLite storage backend: one WAL file, shared safely by the bot and short-lived CLI processes."""

import errno
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from yabot_adapters.sqlite.connection import (
    BUSY_PATIENCE,
    DETAIL,
    Reader,
    Synchronous,
    configure,
    connect,
    retry_busy,
    translated,
)
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
    from collections.abc import Mapping

log = logging.getLogger(__name__)

_DIRECTORY_ERRORS: "Mapping[int, str]" = {
    errno.EEXIST: "existe pero no es un directorio",
    errno.ENOTDIR: "parte de la ruta no es un directorio",
    errno.EACCES: "no hay permiso para crearlo",
    errno.EPERM: "no hay permiso para crearlo",
    errno.EROFS: "está en un sistema de archivos de solo lectura",
    errno.ENOSPC: "el disco está lleno",
}


class SqliteStorage(StorageBackend):
    """Every port of the core in one SQLite file (WAL mode), correct across processes sharing it.

    Writes of this process go through one connection and commit in groups (see :class:`GroupCommitWriter`);
    reads use a second connection that sees the last commit without waiting for writers. Another process's
    write lock is waited for asynchronously, never on the event loop's thread. ``synchronous="FULL"`` makes
    every commit survive a power cut; ``"NORMAL"`` only an application crash, for much cheaper commits.
    ``busy_patience`` is how many seconds opening, a read or a write waits for another process's lock
    before giving up with ``UnavailableError``.
    """

    def __init__(
        self,
        path: Path,
        clock: Clock,
        *,
        synchronous: Synchronous = "FULL",
        busy_patience: float = BUSY_PATIENCE,
    ) -> None:
        self._path = path
        self._synchronous = synchronous
        self._patience = busy_patience
        self._connections: tuple[sqlite3.Connection, sqlite3.Connection] | None = None
        self._writer = GroupCommitWriter(patience=busy_patience)
        self._reader = Reader(patience=busy_patience)
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

        Another process's lock is waited for (up to the patience) at every step: the first read of the
        schema, the switch to WAL, a migration. An up-to-date file needs no write lock to open.

        Raises:
            UnavailableError: the data directory cannot hold the file (the message names it), the file stays
                locked by another process past the patience, or a newer YABOT migrated it past this code's
                schema.
        """
        if self._connections is not None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = _DIRECTORY_ERRORS.get(exc.errno or 0, exc.strerror or "no se puede crear")
            raise self._unusable(reason) from exc
        connections: list[sqlite3.Connection] = []
        try:
            for _ in range(2):
                try:
                    connections.append(connect(self._path))
                except sqlite3.Error as exc:
                    raise self._unusable(self._why_unopenable()) from exc
                # The first statement is the first to touch the file: busy is waited for; any other error
                # means SQLite cannot use it there.
                await retry_busy(
                    lambda: configure(connections[-1], self._synchronous),
                    patience=self._patience,
                    otherwise=lambda _: self._unusable(self._why_unopenable()),
                )
            write_conn, read_conn = connections
            # WAL is a property of the file: the first process to open it switches it, for every process.
            mode = await retry_busy(
                lambda: write_conn.execute("PRAGMA journal_mode = WAL").fetchone()[0], patience=self._patience
            )
            if mode != "wal":
                # Some file systems (network mounts) refuse WAL; writers would then block readers.
                log.warning("SQLite kept journal mode %r for %s instead of WAL", mode, self._path)
            await retry_busy(lambda: migrate(write_conn), patience=self._patience, in_thread=True)
            with translated():
                read_conn.execute("PRAGMA query_only = ON")
        except BaseException:
            for conn in connections:
                conn.close()
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
        """Return if writes are accepted and the file answers a read; raise ``UnavailableError`` otherwise.

        The writer task is checked too: were it dead, every write would fail while reads still answered.
        """
        self._writer.ensure_running()
        await self._reader.read(lambda conn: conn.execute("SELECT 1").fetchall())

    def _unusable(self, reason: str) -> UnavailableError:
        """The error for a data directory the file cannot live in, naming it for the operator."""
        directory = self._path.parent
        return UnavailableError(
            f"No se puede usar el directorio de datos {directory}: {reason}; revisa YABOT_DATA_DIR.",
            detail=DETAIL,
        )

    def _why_unopenable(self) -> str:
        """Say in Spanish why SQLite could not open or create the file in an existing directory."""
        if self._path.is_dir():
            return f"{self._path.name} es un directorio, no un archivo"
        if not self._path.exists() and not os.access(self._path.parent, os.W_OK | os.X_OK):
            return f"no hay permiso para crear {self._path.name} en él"
        if not os.access(self._path, os.R_OK | os.W_OK):
            return f"no hay permiso para leer y escribir {self._path.name}"
        return f"SQLite no puede abrir {self._path.name}"

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit of this process that recorded events."""
        self._writer.add_commit_listener(listener)
