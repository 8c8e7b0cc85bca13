"""Dead letters in SQLite: the repository of a unit of work and the operators' read model."""

import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_core.kernel import DeadLetter, DeadLetterQueries, DeadLetterRepository, EventId, UserId

_SELECT: Final = (
    "SELECT dead_letter_id, event_id, event_type, payload, user_id, handler, error, attempts, failed_at,"
    " replayed_at FROM dead_letters"
)
_BY_ID: Final = _SELECT + " WHERE dead_letter_id = ?"
# Ties keep insertion order, as a stable sort of the in-memory backend does.
_NEWEST_FIRST: Final = _SELECT + " WHERE ? OR replayed_at IS NULL ORDER BY failed_at DESC, rowid ASC LIMIT ?"
_SAVE: Final = (
    "INSERT INTO dead_letters (dead_letter_id, event_id, event_type, payload, user_id, handler, error,"
    " attempts, failed_at, replayed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (dead_letter_id) DO UPDATE SET event_id = excluded.event_id,"
    " event_type = excluded.event_type, payload = excluded.payload, user_id = excluded.user_id,"
    " handler = excluded.handler, error = excluded.error, attempts = excluded.attempts,"
    " failed_at = excluded.failed_at, replayed_at = excluded.replayed_at"
)


class SqliteDeadLetterRepository(DeadLetterRepository):
    """Dead letters inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        with self._session.use() as conn:
            return _by_id(conn, dead_letter_id)

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
            conn.execute(_SAVE, values)


class SqliteDeadLetterQueries(DeadLetterQueries):
    """Dead letters from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        def query(conn: sqlite3.Connection) -> list[DeadLetter]:
            return [_letter(row) for row in conn.execute(_NEWEST_FIRST, (include_replayed, limit)).fetchall()]

        return await self._reader.read(query)

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return await self._reader.read(lambda conn: _by_id(conn, dead_letter_id))


def _by_id(conn: sqlite3.Connection, dead_letter_id: str) -> DeadLetter | None:
    row = conn.execute(_BY_ID, (dead_letter_id,)).fetchone()
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
