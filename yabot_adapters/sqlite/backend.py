"""The SQLite storage backend: one WAL file, shared safely by the bot and short-lived CLI processes."""

import errno
import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from yabot_adapters.sqlite.connection import (
    BUSY,
    BUSY_PATIENCE,
    DETAIL,
    Reader,
    Synchronous,
    configure,
    connect,
    is_busy,
    retry_busy,
    translated,
)
from yabot_adapters.sqlite.schema import migrate
from yabot_adapters.sqlite.slice import SqliteSlice
from yabot_adapters.sqlite.slices import SLICES
from yabot_adapters.sqlite.transactions import SqliteTransactions
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_adapters.units import CommitListener, Router
from yabot_core.kernel import Clock, EventRouter, UnavailableError

log = logging.getLogger(__name__)

_DIRECTORY_ERRORS: Final[Mapping[int, str]] = MappingProxyType(
    {
        errno.EEXIST: "existe pero no es un directorio",
        errno.ENOTDIR: "parte de la ruta no es un directorio",
        errno.EACCES: "no hay permiso para crearlo",
        errno.EPERM: "no hay permiso para crearlo",
        errno.EROFS: "está en un sistema de archivos de solo lectura",
        errno.ENOSPC: "el disco está lleno",
    }
)


class SqliteStorage:
    """Every port of the core in one SQLite file (WAL mode), correct across processes sharing it.

    Each registered slice (:mod:`yabot_adapters.sqlite.slices`) adds its tables (its own migrations), its
    repository to units of work and its read-only views as attributes (``storage.wallet_queries``).

    Writes of this process go through one connection and commit in groups (see :class:`GroupCommitWriter`);
    reads use a second connection that sees the last commit without waiting for writers. Another process's
    lock is waited for asynchronously (at most ``busy_patience`` seconds), never on the event loop's thread.
    ``synchronous="FULL"`` makes every commit survive a power cut; ``"NORMAL"`` only an application crash,
    for much cheaper commits.
    """

    def __init__(
        self,
        path: Path,
        clock: Clock,
        *,
        synchronous: Synchronous = "FULL",
        slices: tuple[SqliteSlice, ...] = SLICES,
        busy_patience: float = BUSY_PATIENCE,
    ) -> None:
        self._path = path
        self._synchronous = synchronous
        self._slices = slices
        self._patience = busy_patience
        self._connections: tuple[sqlite3.Connection, sqlite3.Connection] | None = None
        self._writer = GroupCommitWriter(busy_patience=busy_patience)
        self._reader = Reader(busy_patience=busy_patience)
        self._router = Router()
        self._transactions = SqliteTransactions(self._writer, clock, slices, self._router)
        self._views: dict[str, object] = {
            name: make(self._reader, self._writer) for piece in slices for name, make in piece.queries.items()
        }

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (a read-only view of any module)
        try:
            return self.__dict__["_views"][name]
        except KeyError:
            msg = f"the SQLite backend has no view named {name!r} (is its slice registered?)"
            raise AttributeError(msg) from None

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def transactions(self) -> SqliteTransactions:
        """Atomic units of work."""
        return self._transactions

    async def open(self) -> None:
        """Create the file if needed, switch it to WAL and apply the migrations its modules lack.

        Raises:
            UnavailableError: the data directory cannot hold the file (the message names it), the file stays
                locked by another process past the patience, or a newer YABOT migrated it past this code.
        """
        if self._connections is not None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = _DIRECTORY_ERRORS.get(exc.errno or 0, exc.strerror or "no se puede crear")
            raise self._unusable(reason) from exc
        write_conn = await self._connect(first=True)
        try:
            read_conn = await self._connect()
        except BaseException:
            write_conn.close()
            raise
        try:
            # WAL is a property of the file: the first process to open it switches it, for every process.
            mode = await self._retry(lambda: write_conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if mode != "wal":
                # Some file systems (network mounts) refuse WAL; writers would then block readers.
                log.warning("SQLite kept journal mode %r for %s instead of WAL", mode, self._path)
            await self._retry(lambda: migrate(write_conn, self._slices), in_thread=True)
            with translated():
                read_conn.execute("PRAGMA query_only = ON")
        except BaseException:
            write_conn.close()
            read_conn.close()
            raise
        self._connections = (write_conn, read_conn)
        self._reader.attach(read_conn)
        self._writer.start(write_conn)

    async def _connect(self, *, first: bool = False) -> sqlite3.Connection:
        """A configured connection; a lock held by another process is waited for, like any other."""
        try:
            conn = connect(self._path)
        except sqlite3.Error as exc:
            if first and not is_busy(exc):
                raise self._unusable(self._why_unopenable()) from exc
            raise UnavailableError(detail=DETAIL) from exc
        try:
            await self._retry(lambda: configure(conn, self._synchronous))
        except UnavailableError as exc:
            conn.close()
            cause = exc.__cause__
            if first and isinstance(cause, sqlite3.Error) and not is_busy(cause):
                raise self._unusable(self._why_unopenable()) from cause
            raise
        return conn

    async def _retry(self, attempt: Callable[[], Any], *, in_thread: bool = False) -> Any:  # noqa: ANN401
        try:
            return await retry_busy(attempt, in_thread=in_thread, patience=self._patience)
        except UnavailableError as exc:
            if exc.message == BUSY:
                raise UnavailableError(
                    f"El archivo de datos {self._path} sigue bloqueado por otro proceso de YABOT desde hace "
                    f"{self._patience:.0f} s; vuelva a intentarlo en un momento.",
                    detail=DETAIL,
                ) from exc.__cause__
            raise

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

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Tell ``listener`` what each commit of this process held: the handlers owed, a timer scheduled."""
        self._writer.add_commit_listener(listener)

    def route_events(self, router: EventRouter) -> None:
        """Owe each committed event to the handlers ``router`` names."""
        self._router.install(router)

    def _unusable(self, reason: str) -> UnavailableError:
        """The error for a data directory the file cannot live in, naming it for the operator."""
        directory = self._path.parent
        return UnavailableError(
            f"No se puede usar el directorio de datos {directory}: {reason}; revise YABOT_DATA_DIR.",
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
