"""Broadcasts, their recipients and fans' notification preferences in SQLite: the broadcasts module's slice.

A recipient is a row keyed by (broadcast, fan): writing the audience down twice adds nobody twice, and its
state is what keeps a fan from getting a message twice.
"""

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from yabot_adapters.sqlite.codec import encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.broadcasts import (
    Broadcast,
    BroadcastQueries,
    BroadcastRepository,
    NotificationPreferences,
    Recipient,
    RecipientState,
)
from yabot_core.kernel import ConcurrentUpdateError, UserId

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE broadcasts (
        broadcast_id TEXT PRIMARY KEY,
        state        TEXT NOT NULL,
        start_at     TEXT NOT NULL,
        version      INTEGER NOT NULL CHECK (version >= 1),
        body         TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX broadcasts_by_state ON broadcasts (state, start_at, broadcast_id);
    CREATE TABLE broadcast_recipients (
        broadcast_id TEXT NOT NULL,
        user_id      INTEGER NOT NULL,
        state        TEXT NOT NULL,
        attempts     INTEGER NOT NULL CHECK (attempts >= 0),
        PRIMARY KEY (broadcast_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX broadcast_recipients_by_state ON broadcast_recipients (broadcast_id, state, user_id);
    CREATE TABLE notification_preferences (
        user_id   INTEGER PRIMARY KEY,
        opted_out TEXT NOT NULL,
        version   INTEGER NOT NULL CHECK (version >= 1)
    );
    """,
        down="""
    DROP TABLE notification_preferences;
    DROP TABLE broadcast_recipients;
    DROP TABLE broadcasts;
    """,
    ),
)

_GET: Final = "SELECT body FROM broadcasts WHERE broadcast_id = ?"
_INSERT: Final = (
    "INSERT INTO broadcasts (broadcast_id, state, start_at, version, body) VALUES (?, ?, ?, ?, ?)"
)
_UPDATE: Final = """
    UPDATE broadcasts SET state = ?, start_at = ?, version = ?, body = ?
    WHERE broadcast_id = ? AND version = ?
"""
_ADD: Final = (
    "INSERT OR IGNORE INTO broadcast_recipients (broadcast_id, user_id, state, attempts) VALUES (?, ?, ?, 0)"
)
_RECIPIENT: Final = (
    "SELECT broadcast_id, user_id, state, attempts FROM broadcast_recipients"
    " WHERE broadcast_id = ? AND user_id = ?"
)
_SAVE_RECIPIENT: Final = (
    "UPDATE broadcast_recipients SET state = ?, attempts = ? WHERE broadcast_id = ? AND user_id = ?"
)
_RECIPIENTS: Final = """
    SELECT broadcast_id, user_id, state, attempts FROM broadcast_recipients
    WHERE broadcast_id = ? AND state = ? AND user_id > ? ORDER BY user_id LIMIT ?
"""
_COUNTS: Final = "SELECT state, COUNT(*) AS n FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY state"
_PREFERENCES: Final = "SELECT user_id, opted_out, version FROM notification_preferences WHERE user_id = ?"
_INSERT_PREFERENCES: Final = (
    "INSERT INTO notification_preferences (user_id, opted_out, version) VALUES (?, ?, 1)"
)
_UPDATE_PREFERENCES: Final = (
    "UPDATE notification_preferences SET opted_out = ?, version = ? WHERE user_id = ? AND version = ?"
)
_ACTIVE: Final = ("programada", "enviando")


class SqliteBroadcastRepository(BroadcastRepository):
    """Broadcasts inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, broadcast_id: str) -> Broadcast | None:
        with self._session.use() as conn:
            return _get(conn, broadcast_id)

    async def save(self, broadcast: Broadcast) -> None:
        conflict = ConcurrentUpdateError(
            detail={"broadcast_id": broadcast.broadcast_id, "version": broadcast.version}
        )
        body = broadcast.model_dump_json()
        start = encode_time(broadcast.start_at)
        state = broadcast.state.value
        with self._session.use() as conn:
            if broadcast.version == 1:
                try:
                    conn.execute(_INSERT, (broadcast.broadcast_id, state, start, 1, body))
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            values = (state, start, broadcast.version, body, broadcast.broadcast_id, broadcast.version - 1)
            if conn.execute(_UPDATE, values).rowcount == 0:
                raise conflict

    async def add_recipients(self, broadcast_id: str, user_ids: Sequence[UserId]) -> int:
        pending = RecipientState.PENDING.value
        with self._session.use() as conn:
            before = conn.total_changes
            conn.executemany(_ADD, [(broadcast_id, user, pending) for user in user_ids])
            return conn.total_changes - before

    async def recipient(self, broadcast_id: str, user_id: UserId) -> Recipient | None:
        with self._session.use() as conn:
            row = conn.execute(_RECIPIENT, (broadcast_id, user_id)).fetchone()
        return None if row is None else _recipient(row)

    async def save_recipient(self, recipient: Recipient) -> None:
        values = (recipient.state.value, recipient.attempts, recipient.broadcast_id, recipient.user_id)
        with self._session.use() as conn:
            conn.execute(_SAVE_RECIPIENT, values)

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        with self._session.use() as conn:
            return _preferences(conn, user_id)

    async def save_preferences(self, preferences: NotificationPreferences) -> None:
        user = preferences.user_id
        conflict = ConcurrentUpdateError(detail={"user_id": user, "version": preferences.version})
        out = json.dumps(sorted(preferences.opted_out))
        with self._session.use() as conn:
            if preferences.version == 1:
                try:
                    conn.execute(_INSERT_PREFERENCES, (user, out))
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            values = (out, preferences.version, user, preferences.version - 1)
            if conn.execute(_UPDATE_PREFERENCES, values).rowcount == 0:
                raise conflict


class SqliteBroadcastQueries(BroadcastQueries):
    """Committed broadcasts, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return await self._reader.read(lambda conn: _get(conn, broadcast_id))

    async def listing(self, *, limit: int) -> Sequence[Broadcast]:
        sql = "SELECT body FROM broadcasts ORDER BY start_at DESC, broadcast_id DESC LIMIT ?"
        return await self._reader.read(lambda conn: _bodies(conn.execute(sql, (limit,))))

    async def runnable(self, now: datetime, *, limit: int) -> Sequence[Broadcast]:
        sql = (
            "SELECT body FROM broadcasts WHERE state IN (?, ?) AND start_at <= ?"
            " ORDER BY start_at, broadcast_id LIMIT ?"
        )
        values = (*_ACTIVE, encode_time(now), limit)
        return await self._reader.read(lambda conn: _bodies(conn.execute(sql, values)))

    async def recipients(
        self, broadcast_id: str, state: RecipientState, *, after: UserId | None, limit: int
    ) -> Sequence[Recipient]:
        values = (broadcast_id, state.value, 0 if after is None else after, limit)
        return await self._reader.read(
            lambda conn: [_recipient(row) for row in conn.execute(_RECIPIENTS, values)]
        )

    async def counts(self, broadcast_id: str) -> Mapping[RecipientState, int]:
        def query(conn: sqlite3.Connection) -> dict[RecipientState, int]:
            return {RecipientState(row["state"]): row["n"] for row in conn.execute(_COUNTS, (broadcast_id,))}

        return await self._reader.read(query)

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        return await self._reader.read(lambda conn: _preferences(conn, user_id))


def _get(conn: sqlite3.Connection, broadcast_id: str) -> Broadcast | None:
    row = conn.execute(_GET, (broadcast_id,)).fetchone()
    return None if row is None else Broadcast.model_validate_json(row["body"])


def _bodies(rows: sqlite3.Cursor) -> list[Broadcast]:
    return [Broadcast.model_validate_json(row["body"]) for row in rows]


def _recipient(row: sqlite3.Row) -> Recipient:
    return Recipient(
        broadcast_id=row["broadcast_id"],
        user_id=UserId(row["user_id"]),
        state=RecipientState(row["state"]),
        attempts=row["attempts"],
    )


def _preferences(conn: sqlite3.Connection, user_id: UserId) -> NotificationPreferences:
    row = conn.execute(_PREFERENCES, (user_id,)).fetchone()
    if row is None:
        return NotificationPreferences(user_id=user_id)
    return NotificationPreferences(
        user_id=user_id, opted_out=frozenset(json.loads(row["opted_out"])), version=row["version"]
    )


SLICE = SqliteSlice(
    name="broadcasts",
    migrations=MIGRATIONS,
    repository=SqliteBroadcastRepository,
    queries={"broadcast_queries": lambda reader, _writer: SqliteBroadcastQueries(reader)},
)
