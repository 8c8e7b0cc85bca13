"""Connections to the database file, and the two error rules: retry a busy file, never leak a driver error."""

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal, TypeVar

from tenacity import stop_after_delay, wait_random_exponential

from yabot_adapters.retrying import retry_after_first
from yabot_core.kernel import UnavailableError

T = TypeVar("T")

log = logging.getLogger(__name__)

Synchronous = Literal["FULL", "NORMAL"]

BUSY_PATIENCE: Final = 30.0
"""Seconds to keep retrying a file another process has locked before reporting it busy. Generous: a grant
from the shell that waits is better than one that fails, and on a loaded machine many processes queue for the
one write lock (SQLite's lock is not fair, so a waiter may lose several rounds)."""

BUSY: Final = (
    "La base de datos SQLite sigue bloqueada por otro proceso; inténtelo de nuevo cuando ese proceso termine."
)
"""Why storage is unavailable when another process kept the file locked past the patience."""

DETAIL: Final[Mapping[str, str]] = MappingProxyType({"storage": "sqlite"})
"""The ``detail`` of every ``UnavailableError`` of this backend. API clients see it, so it never carries the
driver's text or a file path: those go to the log and to the exception's ``__cause__``."""


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection in autocommit mode (transactions are explicit) that never waits for a lock.

    ``timeout=0`` sets ``busy_timeout`` to 0: SQLite's own busy wait would sleep on the event loop's thread,
    so a locked file fails at once and :func:`retry_busy` waits asynchronously instead. The connection is
    shared with worker threads (the writer commits there), never used by two threads at once. Nothing is
    read yet: the first statement (see :func:`configure`) is the first that can find the file busy.
    """
    conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def configure(conn: sqlite3.Connection, synchronous: Synchronous) -> None:
    """Set the connection's pragmas; the first reads the schema, so a busy file fails it (retry it)."""
    conn.execute(f"PRAGMA synchronous = {synchronous}")  # a Literal, never user input
    conn.execute("PRAGMA foreign_keys = ON")


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` means another connection holds a lock we need: worth retrying."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc)


def unavailable(exc: sqlite3.Error) -> UnavailableError:
    """Return the error the core understands for a driver failure (raise it ``from exc``).

    The driver's text stays out of the error (its message and detail reach API clients): it is logged here,
    and whoever raises the result chains ``exc`` as its cause, for operators.
    """
    log.info("SQLite failed, storage reported unavailable: %s: %s", type(exc).__name__, exc)
    return UnavailableError(detail=DETAIL)


@contextmanager
def translated() -> Iterator[None]:
    """Turn any driver error raised in the body into ``UnavailableError``."""
    try:
        yield
    except sqlite3.Error as exc:
        raise unavailable(exc) from exc


def busy(exc: sqlite3.Error) -> UnavailableError:
    """Return the error for a file that stayed locked past the patience (raise it ``from exc``)."""
    log.warning("SQLite file stayed locked by another process: %s", exc)
    return UnavailableError(BUSY, detail=DETAIL)


async def retry_busy(
    attempt: Callable[[], T],
    *,
    patience: float = BUSY_PATIENCE,
    in_thread: bool = False,
    otherwise: Callable[[sqlite3.Error], UnavailableError] = unavailable,
) -> T:
    """Call ``attempt`` until the file is not busy, waiting asynchronously with jitter between tries.

    ``attempt`` must leave nothing half-done when it raises; ``in_thread`` runs it in a worker thread (for
    one that fsyncs). Busy for ``patience`` seconds raises ``UnavailableError`` saying so (:data:`BUSY`);
    any other driver error raises what ``otherwise`` makes of it.
    """

    async def once() -> T:
        return await asyncio.to_thread(attempt) if in_thread else attempt()

    try:
        return await retry_after_first(
            once,
            retryable=is_busy,
            wait=wait_random_exponential(multiplier=0.002, max=0.1),
            stop=stop_after_delay(patience),
        )
    except sqlite3.Error as exc:
        raise (busy(exc) if is_busy(exc) else otherwise(exc)) from exc


class Reader:
    """The read connection: committed state only, on the event loop's thread (WAL never blocks it)."""

    def __init__(self, *, patience: float = BUSY_PATIENCE) -> None:
        self._conn: sqlite3.Connection | None = None
        self._patience = patience

    def attach(self, conn: sqlite3.Connection) -> None:
        """Read through ``conn`` from now on."""
        self._conn = conn

    async def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``query`` in one read transaction, so its statements see one snapshot."""
        return await retry_busy(lambda: self._snapshot(query), patience=self._patience)

    def _snapshot(self, query: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            raise UnavailableError(detail=DETAIL)
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # a snapshot an earlier failure left open would hide newer commits
        conn.execute("BEGIN")
        try:
            result = query(conn)
        finally:
            # Ending the read transaction at once lets checkpoints reclaim the WAL behind it.
            conn.execute("ROLLBACK")
        return result

    def close(self) -> None:
        """Close the connection; later reads raise ``UnavailableError``."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
