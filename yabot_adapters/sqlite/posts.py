"""Scheduled posts in SQLite: the posts module's slice.

A post is one row: its state and time as columns (listings use them), the rest as its JSON. Saving checks the
version read, so two processes never both move the same post.
"""

import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError
from yabot_core.posts import Post, PostQueries, PostRepository, PostState

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE posts (
        post_id TEXT PRIMARY KEY,
        state   TEXT NOT NULL,
        due_at  TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        body    TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX posts_by_due ON posts (due_at, post_id);
    """,
        down="DROP TABLE posts;",
    ),
)

_GET: Final = "SELECT body FROM posts WHERE post_id = ?"
_INSERT: Final = "INSERT INTO posts (post_id, state, due_at, version, body) VALUES (?, ?, ?, ?, ?)"
_UPDATE: Final = """
    UPDATE posts SET state = ?, due_at = ?, version = ?, body = ? WHERE post_id = ? AND version = ?
"""


class SqlitePostRepository(PostRepository):
    """Posts inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, post_id: str) -> Post | None:
        with self._session.use() as conn:
            return _get(conn, post_id)

    async def save(self, post: Post) -> None:
        conflict = ConcurrentUpdateError(detail={"post_id": post.post_id, "version": post.version})
        body = post.model_dump_json()
        due = encode_time(post.due_at)
        with self._session.use() as conn:
            if post.version == 1:
                try:
                    conn.execute(_INSERT, (post.post_id, post.state.value, due, 1, body))
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            values = (post.state.value, due, post.version, body, post.post_id, post.version - 1)
            if conn.execute(_UPDATE, values).rowcount == 0:
                raise conflict


class SqlitePostQueries(PostQueries):
    """Committed posts, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, post_id: str) -> Post | None:
        return await self._reader.read(lambda conn: _get(conn, post_id))

    async def listing(self, *, states: Sequence[PostState] = (), limit: int = 50) -> Sequence[Post]:
        def query(conn: sqlite3.Connection) -> list[Post]:
            if states:
                marks = ", ".join("?" for _ in states)
                sql = f"SELECT body FROM posts WHERE state IN ({marks}) ORDER BY due_at, post_id LIMIT ?"  # noqa: S608  (marks only)
                rows = conn.execute(sql, (*(state.value for state in states), limit)).fetchall()
            else:
                sql = "SELECT body FROM posts ORDER BY due_at, post_id LIMIT ?"
                rows = conn.execute(sql, (limit,)).fetchall()
            return [Post.model_validate_json(row["body"]) for row in rows]

        return await self._reader.read(query)


def _get(conn: sqlite3.Connection, post_id: str) -> Post | None:
    row = conn.execute(_GET, (post_id,)).fetchone()
    return None if row is None else Post.model_validate_json(row["body"])


SLICE = SqliteSlice(
    name="posts",
    migrations=MIGRATIONS,
    repository=SqlitePostRepository,
    queries={"post_queries": lambda reader, _writer: SqlitePostQueries(reader)},
)
