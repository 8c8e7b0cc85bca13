"""The schema: each module's numbered, reversible migrations, applied per module, once, by one process.

``PRAGMA user_version`` tells the layout: 1 is the single-list schema of YABOT's first release, 2 records
each module's version in ``schema_versions``. Opening an up-to-date file takes no write lock (many short
CLI processes open the file while the bot serves it); only a file that needs migrating is locked, and the
versions are read again under the lock, so two processes opening a fresh file apply each step once.
"""

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Final

from yabot_adapters.sqlite.slice import SqliteSlice
from yabot_core.kernel import UnavailableError

LAYOUT: Final = 2
"""The ``user_version`` of a file whose modules are versioned one by one."""

LEGACY_VERSIONS: Final[Mapping[str, int]] = {"users": 1, "wallets": 1, "dead_letters": 1}
"""What the first release's single migration created, as per-module versions (see each slice's step 1)."""


def migrate(conn: sqlite3.Connection, slices: Sequence[SqliteSlice]) -> dict[str, int]:
    """Bring every module of ``slices`` to its latest version; return the versions found before.

    Raises ``sqlite3.Error`` (busy included) with nothing changed, or ``UnavailableError`` (Spanish, for the
    operator) for a file a newer YABOT migrated past what this code knows.
    """
    conn.execute("BEGIN")  # a read transaction: one consistent view, and no write lock
    try:
        found = _read_versions(conn)
    finally:
        conn.execute("ROLLBACK")
    _refuse_newer(conn, found, slices)
    if all(found.get(piece.name, 0) == piece.latest for piece in slices):
        return found  # the usual open: nothing to write, no lock taken
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = _read_versions(conn)  # another process may have migrated while we waited for the lock
        _refuse_newer(conn, found, slices)
        _adopt_legacy(conn)
        for piece in slices:
            _step(conn, piece, found.get(piece.name, 0), piece.latest)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found


def rollback(conn: sqlite3.Connection, piece: SqliteSlice, target: int) -> None:
    """Take one module back to version ``target`` (its ``down`` steps), in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = _read_versions(conn).get(piece.name, 0)
        _step(conn, piece, current, _back_to(piece, current, target))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _back_to(piece: SqliteSlice, current: int, target: int) -> int:
    if not 0 <= target <= current:
        msg = f"module {piece.name} is at version {current}; it cannot go back to {target}"
        raise ValueError(msg)
    return target


def versions(conn: sqlite3.Connection) -> dict[str, int]:
    """Each module's applied version in this file (empty for a new file)."""
    return _read_versions(conn)


def _read_versions(conn: sqlite3.Connection) -> dict[str, int]:
    layout: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if layout == 0:
        return {}
    if layout == 1:
        return dict(LEGACY_VERSIONS)
    if layout > LAYOUT:
        raise _newer(conn, f"disposición {layout}")
    return {row[0]: row[1] for row in conn.execute("SELECT module, version FROM schema_versions")}


def _refuse_newer(conn: sqlite3.Connection, found: Mapping[str, int], slices: Sequence[SqliteSlice]) -> None:
    for piece in slices:
        if found.get(piece.name, 0) > piece.latest:
            raise _newer(
                conn, f"módulo {piece.name} en la versión {found[piece.name]}, esta conoce la {piece.latest}"
            )


def _newer(conn: sqlite3.Connection, what: str) -> UnavailableError:
    file = _file_of(conn)
    msg = f"La base de datos {file} es de una versión más reciente de YABOT ({what}): actualice YABOT."
    return UnavailableError(msg, detail={"storage": "sqlite"})


def _adopt_legacy(conn: sqlite3.Connection) -> None:
    """Give a first-release file (or a new one) the per-module versions table, keeping what it holds."""
    layout: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if layout == LAYOUT:
        return
    conn.execute("CREATE TABLE schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    if layout == 1:
        conn.executemany(
            "INSERT INTO schema_versions (module, version) VALUES (?, ?)", LEGACY_VERSIONS.items()
        )
    conn.execute(f"PRAGMA user_version = {LAYOUT}")  # a constant, never user input


def _step(conn: sqlite3.Connection, piece: SqliteSlice, current: int, target: int) -> None:
    if current == target:
        return
    scripts = [piece.migrations[n - 1].up for n in range(current + 1, target + 1)]
    scripts += [piece.migrations[n - 1].down for n in range(current, target, -1)]
    for script in scripts:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO schema_versions (module, version) VALUES (?, ?)"
        " ON CONFLICT (module) DO UPDATE SET version = excluded.version",
        (piece.name, target),
    )


def _file_of(conn: sqlite3.Connection) -> str:
    """The file behind ``conn``'s main database, as SQLite resolved it."""
    for _, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return str(file)
    return "(en memoria)"


def _statements(script: str) -> list[str]:
    """Split a migration into statements: ``executescript`` would commit the surrounding transaction."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        msg = f"incomplete statement in a migration: {pending.strip()[:60]!r}"
        raise ValueError(msg)
    return statements
