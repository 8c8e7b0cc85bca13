"""Lucien's messages in SQLite: the lucien module's slice."""

import json
import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import UserId
from yabot_core.lucien import LucienMessage, LucienQueries, LucienRepository, MessageState

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE lucien_messages (
        key         TEXT PRIMARY KEY,
        user_id     INTEGER NOT NULL,
        message_id  TEXT,
        text        TEXT,
        args        TEXT NOT NULL,
        due_at      TEXT NOT NULL,
        state       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        finished_at TEXT,
        note        TEXT
    );
    CREATE INDEX lucien_messages_by_due ON lucien_messages (due_at);
    CREATE INDEX lucien_messages_by_user ON lucien_messages (user_id, due_at);
    """,
        down="DROP TABLE lucien_messages;",
    ),
)

_COLUMNS: Final = "key, user_id, message_id, text, args, due_at, state, created_at, finished_at, note"
_BY_KEY: Final = f"SELECT {_COLUMNS} FROM lucien_messages WHERE key = ?"  # noqa: S608
_SAVE: Final = f"INSERT OR REPLACE INTO lucien_messages ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_RECENT: Final = f"SELECT {_COLUMNS} FROM lucien_messages ORDER BY due_at DESC, key DESC LIMIT ?"  # noqa: S608
_RECENT_OF: Final = (
    f"SELECT {_COLUMNS} FROM lucien_messages WHERE user_id = ? ORDER BY due_at DESC, key DESC LIMIT ?"  # noqa: S608
)


class SqliteLucienRepository(LucienRepository):
    """Lucien's messages inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, key: str) -> LucienMessage | None:
        with self._session.use() as conn:
            return _by_key(conn, key)

    async def save(self, message: LucienMessage) -> None:
        values = (
            message.key,
            message.user_id,
            message.message_id,
            message.text,
            json.dumps(message.args, separators=(",", ":")),
            encode_time(message.due_at),
            message.state.value,
            encode_time(message.created_at),
            encode_optional_time(message.finished_at),
            message.note,
        )
        with self._session.use() as conn:
            conn.execute(_SAVE, values)


class SqliteLucienQueries(LucienQueries):
    """Committed messages, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, key: str) -> LucienMessage | None:
        return await self._reader.read(lambda conn: _by_key(conn, key))

    async def recent(self, *, user_id: UserId | None = None, limit: int = 50) -> Sequence[LucienMessage]:
        def query(conn: sqlite3.Connection) -> list[LucienMessage]:
            if user_id is None:
                rows = conn.execute(_RECENT, (limit,)).fetchall()
            else:
                rows = conn.execute(_RECENT_OF, (user_id, limit)).fetchall()
            return [_message(row) for row in rows]

        return await self._reader.read(query)


def _by_key(conn: sqlite3.Connection, key: str) -> LucienMessage | None:
    row = conn.execute(_BY_KEY, (key,)).fetchone()
    return None if row is None else _message(row)


def _message(row: sqlite3.Row) -> LucienMessage:
    return LucienMessage(
        key=row["key"],
        user_id=UserId(row["user_id"]),
        message_id=row["message_id"],
        text=row["text"],
        args=json.loads(row["args"]),
        due_at=decode_time(row["due_at"]),
        state=MessageState(row["state"]),
        created_at=decode_time(row["created_at"]),
        finished_at=decode_optional_time(row["finished_at"]),
        note=row["note"],
    )


SLICE = SqliteSlice(
    name="lucien",
    migrations=MIGRATIONS,
    repository=SqliteLucienRepository,
    queries={"lucien_queries": lambda reader, _writer: SqliteLucienQueries(reader)},
)
