"""Fans' reactions and their daily counts in SQLite: the reactions module's slice.

A reaction's primary key is (user, chat, message): a fan's first reaction to a message is inserted once,
whatever runs at once; later changes move it from the version they read.
"""

import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Final

from yabot_adapters.sqlite.codec import decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.reactions import (
    PostReaction,
    ReactionDay,
    ReactionQueries,
    ReactionRepository,
    ReactionSource,
)

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE reactions (
        user_id    INTEGER NOT NULL,
        chat_id    INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        emoji      TEXT,
        source     TEXT NOT NULL,
        first_at   TEXT NOT NULL,
        besitos    INTEGER NOT NULL CHECK (besitos >= 0),
        version    INTEGER NOT NULL CHECK (version >= 1),
        press      TEXT,
        PRIMARY KEY (user_id, chat_id, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX reactions_message ON reactions (chat_id, message_id);
    CREATE TABLE reaction_days (
        user_id INTEGER NOT NULL,
        day     TEXT NOT NULL,
        paid    INTEGER NOT NULL CHECK (paid >= 0),
        version INTEGER NOT NULL CHECK (version >= 1),
        PRIMARY KEY (user_id, day)
    ) WITHOUT ROWID;
    """,
        down="""
    DROP TABLE reaction_days;
    DROP INDEX reactions_message;
    DROP TABLE reactions;
    """,
    ),
)

_COLUMNS: Final = "user_id, chat_id, message_id, emoji, source, first_at, besitos, version, press"
_GET: Final = f"SELECT {_COLUMNS} FROM reactions WHERE user_id = ? AND chat_id = ? AND message_id = ?"  # noqa: S608  (constants only)
_INSERT: Final = f"INSERT INTO reactions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_MOVE: Final = (
    "UPDATE reactions SET emoji = ?, press = ?, version = ?"
    " WHERE user_id = ? AND chat_id = ? AND message_id = ? AND version = ?"
)
_TALLY: Final = (
    "SELECT emoji, COUNT(*) AS fans FROM reactions"
    " WHERE chat_id = ? AND message_id = ? AND emoji IS NOT NULL GROUP BY emoji"
)
_GET_DAY: Final = "SELECT user_id, day, paid, version FROM reaction_days WHERE user_id = ? AND day = ?"
_INSERT_DAY: Final = "INSERT INTO reaction_days (user_id, day, paid, version) VALUES (?, ?, ?, 1)"
_MOVE_DAY: Final = (
    "UPDATE reaction_days SET paid = ?, version = ? WHERE user_id = ? AND day = ? AND version = ?"
)


class SqliteReactionRepository(ReactionRepository):
    """Reactions inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId, chat_id: int, message_id: int) -> PostReaction | None:
        with self._session.use() as conn:
            row = conn.execute(_GET, (user_id, chat_id, message_id)).fetchone()
        return None if row is None else _reaction(row)

    async def save(self, reaction: PostReaction) -> None:
        conflict = ConcurrentUpdateError(
            detail={
                "user_id": reaction.user_id,
                "message_id": reaction.message_id,
                "version": reaction.version,
            }
        )
        with self._session.use() as conn:
            if reaction.version == 1:
                values = (
                    reaction.user_id,
                    reaction.chat_id,
                    reaction.message_id,
                    reaction.emoji,
                    reaction.source.value,
                    encode_time(reaction.first_at),
                    reaction.besitos,
                    1,
                    reaction.press,
                )
                try:
                    conn.execute(_INSERT, values)
                except sqlite3.IntegrityError as exc:  # another work recorded it first
                    raise conflict from exc
                return
            moved = conn.execute(
                _MOVE,
                (
                    reaction.emoji,
                    reaction.press,
                    reaction.version,
                    reaction.user_id,
                    reaction.chat_id,
                    reaction.message_id,
                    reaction.version - 1,
                ),
            )
            if moved.rowcount == 0:
                raise conflict

    async def day(self, user_id: UserId, day: date) -> ReactionDay | None:
        with self._session.use() as conn:
            row = conn.execute(_GET_DAY, (user_id, day.isoformat())).fetchone()
        if row is None:
            return None
        return ReactionDay(
            user_id=UserId(row["user_id"]),
            day=date.fromisoformat(row["day"]),
            paid=row["paid"],
            version=row["version"],
        )

    async def save_day(self, record: ReactionDay) -> None:
        conflict = ConcurrentUpdateError(detail={"user_id": record.user_id, "day": record.day.isoformat()})
        with self._session.use() as conn:
            if record.version == 1:
                try:
                    conn.execute(_INSERT_DAY, (record.user_id, record.day.isoformat(), record.paid))
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            moved = conn.execute(
                _MOVE_DAY,
                (record.paid, record.version, record.user_id, record.day.isoformat(), record.version - 1),
            )
            if moved.rowcount == 0:
                raise conflict


class SqliteReactionQueries(ReactionQueries):
    """Reactions from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def tally(self, chat_id: int, message_id: int) -> Mapping[str, int]:
        def query(conn: sqlite3.Connection) -> dict[str, int]:
            rows = conn.execute(_TALLY, (chat_id, message_id)).fetchall()
            return {row["emoji"]: row["fans"] for row in rows}

        return await self._reader.read(query)


def _reaction(row: sqlite3.Row) -> PostReaction:
    return PostReaction(
        user_id=UserId(row["user_id"]),
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        emoji=row["emoji"],
        source=ReactionSource(row["source"]),
        first_at=decode_time(row["first_at"]),
        besitos=row["besitos"],
        version=row["version"],
        press=row["press"],
    )


SLICE = SqliteSlice(
    name="reactions",
    migrations=MIGRATIONS,
    repository=SqliteReactionRepository,
    queries={"reaction_queries": lambda reader, _writer: SqliteReactionQueries(reader)},
)
