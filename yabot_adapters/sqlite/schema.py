"""The schema as numbered, reversible migrations; ``PRAGMA user_version`` records which a file is at."""

import sqlite3
from dataclasses import dataclass
from typing import Final

from yabot_core.kernel import UnavailableError


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: ``up`` brings a file from version n-1 to n, ``down`` takes it back."""

    up: str
    down: str


MIGRATIONS: Final[tuple[Migration, ...]] = (
    # 1: wallets, ledger, holds, users, outbox, dead letters, leases.
    Migration(
        up="""
    CREATE TABLE users (
        user_id       INTEGER PRIMARY KEY,
        first_name    TEXT,
        last_name     TEXT,
        username      TEXT,
        language_code TEXT,
        source        TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE TABLE wallets (
        user_id  INTEGER PRIMARY KEY,
        balance  INTEGER NOT NULL CHECK (balance >= 0),
        sequence INTEGER NOT NULL CHECK (sequence >= 0)
    );
    CREATE TABLE ledger_entries (
        entry_id        TEXT PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES wallets (user_id),
        sequence        INTEGER NOT NULL,
        amount          INTEGER NOT NULL,
        reason          TEXT NOT NULL,
        note            TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        correlation_id  TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        balance_after   INTEGER NOT NULL,
        hold_id         TEXT,
        UNIQUE (user_id, sequence)
    );
    CREATE TABLE holds (
        hold_id    TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        amount     INTEGER NOT NULL,
        purpose    TEXT NOT NULL,
        reference  TEXT,
        status     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        settled_at TEXT
    );
    CREATE INDEX holds_by_user ON holds (user_id, status);
    -- Delivered records are deleted, so this table holds only pending ones and reading it in position
    -- order walks the primary key. AUTOINCREMENT keeps positions growing even after the newest is deleted.
    CREATE TABLE outbox (
        position   INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id   TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        payload    TEXT NOT NULL,
        user_id    INTEGER,
        created_at TEXT NOT NULL,
        handled_by TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE dead_letters (
        dead_letter_id TEXT PRIMARY KEY,
        event_id       TEXT NOT NULL,
        event_type     TEXT NOT NULL,
        payload        TEXT NOT NULL,
        user_id        INTEGER,
        handler        TEXT NOT NULL,
        error          TEXT NOT NULL,
        attempts       INTEGER NOT NULL,
        failed_at      TEXT NOT NULL,
        replayed_at    TEXT
    );
    CREATE INDEX dead_letters_by_failure ON dead_letters (failed_at);
    CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        owner      TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    """,
        down="""
    DROP TABLE leases;
    DROP TABLE dead_letters;
    DROP TABLE outbox;
    DROP TABLE holds;
    DROP TABLE ledger_entries;
    DROP TABLE wallets;
    DROP TABLE users;
    """,
    ),
)
"""Migration ``n`` (1-based) is the step to ``user_version`` n. Append only; never edit a released one."""

LATEST: Final = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring ``conn``'s file to schema version ``target``, up or down, in one transaction.

    Returns the version the file had before. ``user_version`` is read first without the write lock, so
    opening an up-to-date file (the usual case) waits for no writer; only a file that needs a step takes
    it (``BEGIN IMMEDIATE``) and reads the version again under it, so two processes opening a fresh file at
    once apply each step exactly once. Raises ``sqlite3.Error`` (busy included) with nothing changed, or
    ``UnavailableError`` (in Spanish, for the operator) for a file a newer YABOT migrated past
    :data:`LATEST`.
    """
    if not 0 <= target <= LATEST:
        msg = f"schema versions go from 0 to {LATEST}, not {target}"
        raise ValueError(msg)
    version = _version(conn)
    if version == target:
        return version  # nothing to write: the usual open of an up-to-date file
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = _step(conn, target)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return before


def _version(conn: sqlite3.Connection) -> int:
    """The file's schema version; ``UnavailableError`` if a newer YABOT wrote it."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        msg = (
            f"La base de datos {_file_of(conn)} es de una versión más reciente de YABOT (esquema {version}; "
            f"esta versión conoce hasta el {LATEST}): actualiza YABOT."
        )
        raise UnavailableError(
            msg, detail={"storage": "sqlite", "schema_version": version, "known_schema_version": LATEST}
        )
    return version


def _step(conn: sqlite3.Connection, target: int) -> int:
    version = _version(conn)  # again: another process may have migrated since the unlocked read
    if version == target:
        return version
    scripts = [MIGRATIONS[n - 1].up for n in range(version + 1, target + 1)]
    scripts += [MIGRATIONS[n - 1].down for n in range(version, target, -1)]
    for script in scripts:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {int(target)}")  # an int, never user input
    return version


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
