"""Users in SQLite: the users module's slice."""

import sqlite3
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import UserId
from yabot_core.users import User, UserQueries, UserRepository, UserSource

MIGRATIONS: Final = (
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
    """,
        down="DROP TABLE users;",
    ),
    # 2: who blocked the bot (broadcasts and Lucien skip them until they write again).
    Migration(
        up="ALTER TABLE users ADD COLUMN blocked_at TEXT;",
        down="ALTER TABLE users DROP COLUMN blocked_at;",
    ),
)

_COLUMNS: Final = (
    "user_id, first_name, last_name, username, language_code, source, registered_at, updated_at, blocked_at"
)
_USER_BY_ID: Final = f"SELECT {_COLUMNS} FROM users WHERE user_id = ?"  # noqa: S608  (constants only)
_SAVE_USER: Final = f"INSERT OR REPLACE INTO users ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


class SqliteUserRepository(UserRepository):
    """Users inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId) -> User | None:
        with self._session.use() as conn:
            return user_by_id(conn, user_id)

    async def save(self, user: User) -> None:
        values = (
            user.user_id,
            user.first_name,
            user.last_name,
            user.username,
            user.language_code,
            user.source.value,
            encode_time(user.registered_at),
            encode_time(user.updated_at),
            encode_optional_time(user.blocked_at),
        )
        with self._session.use() as conn:
            conn.execute(_SAVE_USER, values)


class SqliteUserQueries(UserQueries):
    """Users from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, user_id: UserId) -> User | None:
        return await self._reader.read(lambda conn: user_by_id(conn, user_id))

    async def count(self) -> int:
        return await self._reader.read(lambda conn: conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])


def user_by_id(conn: sqlite3.Connection, user_id: UserId) -> User | None:
    """Return the stored user, or ``None``."""
    row = conn.execute(_USER_BY_ID, (user_id,)).fetchone()
    if row is None:
        return None
    return User(
        user_id=UserId(row["user_id"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        language_code=row["language_code"],
        source=UserSource(row["source"]),
        registered_at=decode_time(row["registered_at"]),
        updated_at=decode_time(row["updated_at"]),
        blocked_at=decode_optional_time(row["blocked_at"]),
    )


SLICE = SqliteSlice(
    name="users",
    migrations=MIGRATIONS,
    repository=SqliteUserRepository,
    queries={"user_queries": lambda reader, _writer: SqliteUserQueries(reader)},
)
