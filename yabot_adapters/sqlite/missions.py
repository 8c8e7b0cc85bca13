"""Fans' missions and counted events in SQLite: the missions module's slice.

A mission moves only from the version it was read at; a counted event is a primary key, so one event is
never counted twice, whatever runs at once.
"""

import sqlite3
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, EventId, UserId
from yabot_core.missions import MissionQueries, MissionRepository, UserMission

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE missions (
        user_id      INTEGER NOT NULL,
        mission_id   TEXT NOT NULL,
        source       TEXT NOT NULL,
        assigned_at  TEXT NOT NULL,
        period       TEXT NOT NULL,
        progress     INTEGER NOT NULL CHECK (progress >= 0),
        completed_at TEXT,
        completions  INTEGER NOT NULL CHECK (completions >= 0),
        version      INTEGER NOT NULL CHECK (version >= 1),
        PRIMARY KEY (user_id, mission_id)
    ) WITHOUT ROWID;
    CREATE TABLE mission_events (
        event_id TEXT PRIMARY KEY,
        user_id  INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
        down="""
    DROP TABLE mission_events;
    DROP TABLE missions;
    """,
    ),
)

_COLUMNS: Final = (
    "user_id, mission_id, source, assigned_at, period, progress, completed_at, completions, version"
)
_GET: Final = f"SELECT {_COLUMNS} FROM missions WHERE user_id = ? AND mission_id = ?"  # noqa: S608  (constants only)
_FOR_USER: Final = f"SELECT {_COLUMNS} FROM missions WHERE user_id = ? ORDER BY mission_id"  # noqa: S608
_INSERT: Final = f"INSERT INTO missions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_MOVE: Final = (
    "UPDATE missions SET period = ?, progress = ?, completed_at = ?, completions = ?, version = ?"
    " WHERE user_id = ? AND mission_id = ? AND version = ?"
)
_COUNTED: Final = "SELECT 1 FROM mission_events WHERE event_id = ?"
_COUNT: Final = "INSERT INTO mission_events (event_id, user_id) VALUES (?, ?)"


class SqliteMissionRepository(MissionRepository):
    """Missions inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId, mission_id: str) -> UserMission | None:
        with self._session.use() as conn:
            row = conn.execute(_GET, (user_id, mission_id)).fetchone()
        return None if row is None else _mission(row)

    async def save(self, mission: UserMission) -> None:
        conflict = ConcurrentUpdateError(
            detail={"user_id": mission.user_id, "mission_id": mission.mission_id, "version": mission.version}
        )
        completed = encode_optional_time(mission.completed_at)
        with self._session.use() as conn:
            if mission.version == 1:
                values = (
                    mission.user_id,
                    mission.mission_id,
                    mission.source,
                    encode_time(mission.assigned_at),
                    mission.period,
                    mission.progress,
                    completed,
                    mission.completions,
                    1,
                )
                try:
                    conn.execute(_INSERT, values)
                except sqlite3.IntegrityError as exc:  # another work assigned it first
                    raise conflict from exc
                return
            moved = conn.execute(
                _MOVE,
                (
                    mission.period,
                    mission.progress,
                    completed,
                    mission.completions,
                    mission.version,
                    mission.user_id,
                    mission.mission_id,
                    mission.version - 1,
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


class SqliteMissionQueries(MissionQueries):
    """Missions from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def for_user(self, user_id: UserId) -> tuple[UserMission, ...]:
        def query(conn: sqlite3.Connection) -> tuple[UserMission, ...]:
            return tuple(map(_mission, conn.execute(_FOR_USER, (user_id,)).fetchall()))

        return await self._reader.read(query)


def _mission(row: sqlite3.Row) -> UserMission:
    return UserMission(
        user_id=UserId(row["user_id"]),
        mission_id=row["mission_id"],
        source=row["source"],
        assigned_at=decode_time(row["assigned_at"]),
        period=row["period"],
        progress=row["progress"],
        completed_at=decode_optional_time(row["completed_at"]),
        completions=row["completions"],
        version=row["version"],
    )


SLICE = SqliteSlice(
    name="missions",
    migrations=MIGRATIONS,
    repository=SqliteMissionRepository,
    queries={"mission_queries": lambda reader, _writer: SqliteMissionQueries(reader)},
)
