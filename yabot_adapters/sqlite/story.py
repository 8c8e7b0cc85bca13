"""Story progress in SQLite: the story module's slice (one row per fan and story, the record as JSON)."""

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Final

from yabot_adapters.sqlite.codec import encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.story import FragmentId, StoryId, StoryProgress, StoryQueries, StoryRepository

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE story_progress (
        user_id    INTEGER NOT NULL,
        story_id   TEXT NOT NULL,
        revision   INTEGER NOT NULL CHECK (revision >= 1),
        updated_at TEXT NOT NULL,
        record     TEXT NOT NULL,
        PRIMARY KEY (user_id, story_id)
    ) WITHOUT ROWID;
    """,
        down="""
    DROP TABLE story_progress;
    """,
    ),
)

_GET: Final = "SELECT record FROM story_progress WHERE user_id = ? AND story_id = ?"
_OF_USER: Final = (
    "SELECT record FROM story_progress WHERE user_id = ? ORDER BY updated_at DESC, story_id DESC"
)
_BY_FRAGMENT: Final = (
    "SELECT json_extract(record, '$.current') AS fragment, COUNT(*) AS fans FROM story_progress"
    " WHERE story_id = ? GROUP BY fragment"
)
_INSERT: Final = (
    "INSERT INTO story_progress (user_id, story_id, revision, updated_at, record) VALUES (?, ?, 1, ?, ?)"
)
_MOVE: Final = (
    "UPDATE story_progress SET revision = ?, updated_at = ?, record = ?"
    " WHERE user_id = ? AND story_id = ? AND revision = ?"
)


class SqliteStoryRepository(StoryRepository):
    """Progress inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        with self._session.use() as conn:
            row = conn.execute(_GET, (user_id, story_id)).fetchone()
        return None if row is None else StoryProgress.model_validate_json(row["record"])

    async def save(self, progress: StoryProgress) -> None:
        record, when = progress.model_dump_json(), encode_time(progress.updated_at)
        with self._session.use() as conn:
            if progress.revision == 1:
                try:
                    conn.execute(_INSERT, (progress.user_id, progress.story_id, when, record))
                except sqlite3.IntegrityError as exc:  # another work started it first
                    raise _conflict(progress) from exc
                return
            values = (
                progress.revision,
                when,
                record,
                progress.user_id,
                progress.story_id,
                progress.revision - 1,
            )
            if conn.execute(_MOVE, values).rowcount == 0:
                raise _conflict(progress)


class SqliteStoryQueries(StoryQueries):
    """Committed progress, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        def query(conn: sqlite3.Connection) -> StoryProgress | None:
            row = conn.execute(_GET, (user_id, story_id)).fetchone()
            return None if row is None else StoryProgress.model_validate_json(row["record"])

        return await self._reader.read(query)

    async def of_user(self, user_id: UserId) -> Sequence[StoryProgress]:
        def query(conn: sqlite3.Connection) -> list[StoryProgress]:
            rows = conn.execute(_OF_USER, (user_id,)).fetchall()
            return [StoryProgress.model_validate_json(row["record"]) for row in rows]

        return await self._reader.read(query)

    async def fans_by_fragment(self, story_id: StoryId) -> Mapping[FragmentId, int]:
        def query(conn: sqlite3.Connection) -> dict[FragmentId, int]:
            rows = conn.execute(_BY_FRAGMENT, (story_id,)).fetchall()
            return {FragmentId(row["fragment"]): row["fans"] for row in rows}

        return await self._reader.read(query)


def _conflict(progress: StoryProgress) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(
        detail={"user_id": progress.user_id, "story_id": progress.story_id, "revision": progress.revision}
    )


SLICE = SqliteSlice(
    name="story",
    migrations=MIGRATIONS,
    repository=SqliteStoryRepository,
    queries={"story_queries": lambda reader, _writer: SqliteStoryQueries(reader)},
)
