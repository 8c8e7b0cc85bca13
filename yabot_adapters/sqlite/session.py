"""The writer connection as one unit of work sees it: usable only while that work runs."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from yabot_adapters.sqlite.connection import unavailable


class Session:
    """Hands the writer connection to repositories while their unit of work runs, and only then.

    The writer connection serves one work at a time; a unit of work kept past its end would otherwise write
    into another work's transaction.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn

    def end(self) -> None:
        """Refuse every later use."""
        self._conn = None

    @contextmanager
    def use(self) -> Iterator[sqlite3.Connection]:
        """Lend the connection for a few statements, turning driver errors into ``UnavailableError``."""
        if self._conn is None:
            msg = "a unit of work was used after it ended"
            raise RuntimeError(msg)
        try:
            yield self._conn
        except sqlite3.Error as exc:
            raise unavailable(exc) from exc

    @contextmanager
    def savepoint(self, name: str) -> Iterator[sqlite3.Connection]:
        """Like :meth:`use`, all-or-nothing: an exception undoes the body's statements before propagating."""
        with self.use() as conn:
            conn.execute(f"SAVEPOINT {name}")  # names are constants of this package
            try:
                yield conn
            except BaseException:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
                raise
            conn.execute(f"RELEASE {name}")
