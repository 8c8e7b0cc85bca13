"""The event bus's data in SQLite: outbox records, what each handler is owed, dead letters, leases.

A committed event is one row of ``outbox_records`` and one row of ``outbox_deliveries`` per handler owed it
(``owed`` counts those left). A handler's relay reads its deliveries in position order through the primary
key; acknowledging deletes them, and a record owed to nobody any more goes with the last one.
"""

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_adapters.units import NOTHING, Committed, RoutedEvent
from yabot_core.kernel import (
    DeadLetter,
    DeadLetterQueries,
    DeadLetterRepository,
    EventId,
    OutboxRecord,
    OutboxStore,
    UserId,
)

MIGRATIONS: Final = (
    # 1: the first release's outbox (one row per event, the handlers done with it as a JSON list).
    Migration(
        up="""
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
    """,
    ),
    # 2: a delivery per handler (a consumer per handler); pending records keep what they are owed, under
    # the handlers' new names.
    Migration(
        up="""
    CREATE TABLE outbox_records (
        position   INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id   TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        payload    TEXT NOT NULL,
        user_id    INTEGER,
        created_at TEXT NOT NULL,
        owed       INTEGER NOT NULL CHECK (owed >= 0)
    );
    CREATE TABLE outbox_deliveries (
        handler  TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (handler, position)
    ) WITHOUT ROWID;
    WITH
    renames (event_type, old, new) AS (VALUES
        ('user.registered', 'gamification.welcome_gift', 'welcome.gift'),
        ('besitos.awarded', 'telegram.notify_besitos_awarded', 'wallet.grant_notice'),
        ('bus.event_processing_failed', 'telegram.alert_admins', 'lucien.alert_admins')
    )
    INSERT INTO outbox_deliveries (handler, position)
        SELECT renames.new, outbox.position FROM outbox JOIN renames USING (event_type)
        WHERE NOT EXISTS (SELECT 1 FROM json_each(outbox.handled_by) WHERE value = renames.old);
    INSERT INTO outbox_records (position, event_id, event_type, payload, user_id, created_at, owed)
        SELECT outbox.position, event_id, event_type, payload, user_id, created_at, COUNT(*)
        FROM outbox JOIN outbox_deliveries USING (position) GROUP BY outbox.position;
    WITH
    renames (event_type, old, new) AS (VALUES
        ('user.registered', 'gamification.welcome_gift', 'welcome.gift'),
        ('besitos.awarded', 'telegram.notify_besitos_awarded', 'wallet.grant_notice'),
        ('bus.event_processing_failed', 'telegram.alert_admins', 'lucien.alert_admins')
    )
    UPDATE dead_letters SET handler = (SELECT new FROM renames WHERE old = dead_letters.handler)
        WHERE handler IN (SELECT old FROM renames);
    DROP TABLE outbox;
    """,
        down="""
    CREATE TABLE outbox (
        position   INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id   TEXT NOT NULL UNIQUE,
        event_type TEXT NOT NULL,
        payload    TEXT NOT NULL,
        user_id    INTEGER,
        created_at TEXT NOT NULL,
        handled_by TEXT NOT NULL DEFAULT '[]'
    );
    INSERT INTO outbox (position, event_id, event_type, payload, user_id, created_at)
        SELECT position, event_id, event_type, payload, user_id, created_at FROM outbox_records;
    DROP TABLE outbox_deliveries;
    DROP TABLE outbox_records;
    """,
    ),
    # 3: a handler's dead letters became one of the admins' alerts (the operations module's), no longer
    # Lucien's message each: what the old handler was owed, and its dead letters, go to the new one.
    Migration(
        up="""
    UPDATE outbox_deliveries SET handler = 'operations.dead_letter_alert'
        WHERE handler = 'lucien.alert_admins';
    UPDATE dead_letters SET handler = 'operations.dead_letter_alert' WHERE handler = 'lucien.alert_admins';
    """,
        down="""
    UPDATE outbox_deliveries SET handler = 'lucien.alert_admins'
        WHERE handler = 'operations.dead_letter_alert';
    UPDATE dead_letters SET handler = 'lucien.alert_admins' WHERE handler = 'operations.dead_letter_alert';
    """,
    ),
)

_INSERT_RECORD: Final = (
    "INSERT INTO outbox_records (event_id, event_type, payload, user_id, created_at, owed)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_OWED: Final = (
    "SELECT r.position, r.event_id, r.event_type, r.payload, r.user_id, r.created_at"
    " FROM outbox_deliveries AS d JOIN outbox_records AS r ON r.position = d.position"
    " WHERE d.handler = ? ORDER BY d.position LIMIT ?"
)
# Acknowledging takes at most three statements, however many events it settles: the deliveries go (each
# event id looked up once, unknown ones matching nothing), then the records they were for owe one fewer, and
# those owed to nobody any more go. A delivery is deleted at most once, so a record is debited at most once.
_SETTLE: Final = (
    "DELETE FROM outbox_deliveries WHERE handler = ? AND position IN"
    " (SELECT r.position FROM json_each(?) AS ids JOIN outbox_records AS r ON r.event_id = ids.value)"
    " RETURNING position"
)
_DEBIT: Final = "UPDATE outbox_records SET owed = owed - 1 WHERE position IN (SELECT value FROM json_each(?))"
_FORGET: Final = "DELETE FROM outbox_records WHERE position IN (SELECT value FROM json_each(?)) AND owed = 0"
_STALE: Final = (
    "SELECT r.event_id FROM outbox_deliveries AS d JOIN outbox_records AS r ON r.position = d.position"
    " WHERE d.handler = ? AND r.created_at < ?"
)
# One statement decides and writes, inside the writer's BEGIN IMMEDIATE: atomic across processes.
_ACQUIRE_LEASE: Final = (
    "INSERT INTO leases (name, owner, expires_at) VALUES (:name, :owner, :until)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE leases.owner = excluded.owner OR leases.expires_at <= :now"
)
_LETTER: Final = (
    "SELECT dead_letter_id, event_id, event_type, payload, user_id, handler, error, attempts, failed_at,"
    " replayed_at FROM dead_letters"
)
_LETTER_BY_ID: Final = _LETTER + " WHERE dead_letter_id = ?"
# Ties keep insertion order, as a stable sort of the in-memory backend does.
_NEWEST_FIRST: Final = _LETTER + " WHERE ? OR replayed_at IS NULL ORDER BY failed_at DESC, rowid ASC LIMIT ?"
_SAVE_LETTER: Final = (
    "INSERT OR REPLACE INTO dead_letters (dead_letter_id, event_id, event_type, payload, user_id, handler,"
    " error, attempts, failed_at, replayed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def write_events(conn: sqlite3.Connection, routed: Sequence[RoutedEvent], now: datetime) -> None:
    """Append committed events, each owed to its handlers, in the caller's transaction (commit order)."""
    created_at = encode_time(now)
    for item in routed:
        event = item.event
        cursor = conn.execute(
            _INSERT_RECORD,
            (
                event.event_id,
                event.event_type,
                event.to_json(),
                event.user_id,
                created_at,
                len(item.handlers),
            ),
        )
        position = cursor.lastrowid
        conn.executemany(
            "INSERT INTO outbox_deliveries (handler, position) VALUES (?, ?)",
            [(handler, position) for handler in item.handlers],
        )


def _settle(conn: sqlite3.Connection, handler: str, event_ids: Sequence[EventId]) -> int:
    """``handler`` owes these no more; records owed to nobody go. Returns how many it owed."""
    settled = [row[0] for row in conn.execute(_SETTLE, (handler, json.dumps(list(event_ids)))).fetchall()]
    if settled:
        positions = json.dumps(settled)
        conn.execute(_DEBIT, (positions,))
        conn.execute(_FORGET, (positions,))
    return len(settled)


class SqliteOutboxStore(OutboxStore):
    """What each handler is owed, from the read connection; acknowledgements and leases through the writer."""

    def __init__(self, reader: Reader, writer: GroupCommitWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def pending(self, handler: str, limit: int) -> Sequence[OutboxRecord]:
        def query(conn: sqlite3.Connection) -> list[OutboxRecord]:
            return [_record(row) for row in conn.execute(_OWED, (handler, max(0, limit))).fetchall()]

        return await self._reader.read(query)

    async def acknowledge(self, handler: str, event_ids: Sequence[EventId]) -> None:
        async def body(conn: sqlite3.Connection) -> tuple[int, Committed]:
            return _settle(conn, handler, event_ids), NOTHING

        await self._writer.submit(body)

    async def expire(self, handler: str, before: datetime) -> int:
        async def body(conn: sqlite3.Connection) -> tuple[int, Committed]:
            stale = [row[0] for row in conn.execute(_STALE, (handler, encode_time(before))).fetchall()]
            return _settle(conn, handler, stale), NOTHING

        return await self._writer.submit(body)

    async def backlog(self) -> Mapping[str, int]:
        def query(conn: sqlite3.Connection) -> dict[str, int]:
            rows = conn.execute("SELECT handler, COUNT(*) FROM outbox_deliveries GROUP BY handler").fetchall()
            return {row[0]: row[1] for row in rows}

        return await self._reader.read(query)

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        params = {"name": name, "owner": owner, "now": encode_time(now), "until": encode_time(until)}
        return await self._write(_ACQUIRE_LEASE, params) == 1

    async def release_lease(self, name: str, owner: str) -> None:
        await self._write("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    async def _write(self, statement: str, params: Sequence[object] | Mapping[str, object]) -> int:
        """Run one statement as a write of its own (no events); return how many rows it changed."""

        async def body(conn: sqlite3.Connection) -> tuple[int, Committed]:
            return conn.execute(statement, params).rowcount, NOTHING

        return await self._writer.submit(body)


class SqliteDeadLetterRepository(DeadLetterRepository):
    """Dead letters inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        with self._session.use() as conn:
            return _letter_by_id(conn, dead_letter_id)

    async def save(self, dead_letter: DeadLetter) -> None:
        values = (
            dead_letter.dead_letter_id,
            dead_letter.event_id,
            dead_letter.event_type,
            dead_letter.payload,
            dead_letter.user_id,
            dead_letter.handler,
            dead_letter.error,
            dead_letter.attempts,
            encode_time(dead_letter.failed_at),
            encode_optional_time(dead_letter.replayed_at),
        )
        with self._session.use() as conn:
            conn.execute(_SAVE_LETTER, values)


class SqliteDeadLetterQueries(DeadLetterQueries):
    """Dead letters from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        def query(conn: sqlite3.Connection) -> list[DeadLetter]:
            return [_letter(row) for row in conn.execute(_NEWEST_FIRST, (include_replayed, limit)).fetchall()]

        return await self._reader.read(query)

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return await self._reader.read(lambda conn: _letter_by_id(conn, dead_letter_id))


def _letter_by_id(conn: sqlite3.Connection, dead_letter_id: str) -> DeadLetter | None:
    row = conn.execute(_LETTER_BY_ID, (dead_letter_id,)).fetchone()
    return None if row is None else _letter(row)


def _letter(row: sqlite3.Row) -> DeadLetter:
    user_id = row["user_id"]
    return DeadLetter(
        dead_letter_id=row["dead_letter_id"],
        event_id=EventId(row["event_id"]),
        event_type=row["event_type"],
        payload=row["payload"],
        user_id=None if user_id is None else UserId(user_id),
        handler=row["handler"],
        error=row["error"],
        attempts=row["attempts"],
        failed_at=decode_time(row["failed_at"]),
        replayed_at=decode_optional_time(row["replayed_at"]),
    )


def _record(row: sqlite3.Row) -> OutboxRecord:
    user_id = row["user_id"]
    return OutboxRecord(
        event_id=EventId(row["event_id"]),
        event_type=row["event_type"],
        payload=row["payload"],
        user_id=None if user_id is None else UserId(user_id),
        position=row["position"],
        created_at=decode_time(row["created_at"]),
    )


SLICE = SqliteSlice(
    name="dead_letters",
    migrations=MIGRATIONS,
    repository=SqliteDeadLetterRepository,
    queries={
        "outbox": SqliteOutboxStore,
        "dead_letter_queries": lambda reader, _writer: SqliteDeadLetterQueries(reader),
    },
)
