"""Fans' logros and counted events in SQLite: the achievements module's slice.

A logro's progress moves only from the version it was read at; a counted event is a primary key, so one
event is never counted twice, whatever runs at once.
"""

import sqlite3
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, encode_optional_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.achievements import AchievementQueries, AchievementRepository, UserAchievement
from yabot_core.kernel import ConcurrentUpdateError, EventId, UserId

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE achievements (
        user_id        INTEGER NOT NULL,
        achievement_id TEXT NOT NULL,
        progress       INTEGER NOT NULL CHECK (progress >= 0),
        unlocked_at    TEXT,
        version        INTEGER NOT NULL CHECK (version >= 1),
        PRIMARY KEY (user_id, achievement_id)
    ) WITHOUT ROWID;
    CREATE TABLE achievement_events (
        event_id TEXT PRIMARY KEY,
        user_id  INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
        down="""
    DROP TABLE achievement_events;
    DROP TABLE achievements;
    """,
    ),
)

_COLUMNS: Final = "user_id, achievement_id, progress, unlocked_at, version"
_GET: Final = f"SELECT {_COLUMNS} FROM achievements WHERE user_id = ? AND achievement_id = ?"  # noqa: S608  (constants only)
_FOR_USER: Final = f"SELECT {_COLUMNS} FROM achievements WHERE user_id = ? ORDER BY achievement_id"  # noqa: S608
_INSERT: Final = f"INSERT INTO achievements ({_COLUMNS}) VALUES (?, ?, ?, ?, 1)"  # noqa: S608
_MOVE: Final = (
    "UPDATE achievements SET progress = ?, unlocked_at = ?, version = ?"
    " WHERE user_id = ? AND achievement_id = ? AND version = ?"
)
_COUNTED: Final = "SELECT 1 FROM achievement_events WHERE event_id = ?"
_COUNT: Final = "INSERT INTO achievement_events (event_id, user_id) VALUES (?, ?)"


class SqliteAchievementRepository(AchievementRepository):
    """Logros inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId, achievement_id: str) -> UserAchievement | None:
        with self._session.use() as conn:
            row = conn.execute(_GET, (user_id, achievement_id)).fetchone()
        return None if row is None else _achievement(row)

    async def save(self, achievement: UserAchievement) -> None:
        conflict = ConcurrentUpdateError(
            detail={
                "user_id": achievement.user_id,
                "achievement_id": achievement.achievement_id,
                "version": achievement.version,
            }
        )
        unlocked = encode_optional_time(achievement.unlocked_at)
        with self._session.use() as conn:
            if achievement.version == 1:
                values = (achievement.user_id, achievement.achievement_id, achievement.progress, unlocked)
                try:
                    conn.execute(_INSERT, values)
                except sqlite3.IntegrityError as exc:  # another work created it first
                    raise conflict from exc
                return
            moved = conn.execute(
                _MOVE,
                (
                    achievement.progress,
                    unlocked,
                    achievement.version,
                    achievement.user_id,
                    achievement.achievement_id,
                    achievement.version - 1,
                ),
            )
            if moved.rowcount == 0:
                raise conflict

    async def counted(self, event_id: EventId) -> bool:
        with self._session.use() as conn:
            return conn.execute(_COUNTED, (event_id,)).fetchone() is not None

    async def count(self, event_id: EventId, user_id: UserId) -> None:
        with self._session.use() as conn:
            try:
                conn.execute(_COUNT, (event_id, user_id))
            except sqlite3.IntegrityError as exc:  # another work counted it first
                raise ConcurrentUpdateError(detail={"event_id": event_id}) from exc


class SqliteAchievementQueries(AchievementQueries):
    """Logros from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def for_user(self, user_id: UserId) -> tuple[UserAchievement, ...]:
        def query(conn: sqlite3.Connection) -> tuple[UserAchievement, ...]:
            return tuple(map(_achievement, conn.execute(_FOR_USER, (user_id,)).fetchall()))

        return await self._reader.read(query)


def _achievement(row: sqlite3.Row) -> UserAchievement:
    return UserAchievement(
        user_id=UserId(row["user_id"]),
        achievement_id=row["achievement_id"],
        progress=row["progress"],
        unlocked_at=decode_optional_time(row["unlocked_at"]),
        version=row["version"],
    )


SLICE = SqliteSlice(
    name="achievements",
    migrations=MIGRATIONS,
    repository=SqliteAchievementRepository,
    queries={"achievement_queries": lambda reader, _writer: SqliteAchievementQueries(reader)},
)
