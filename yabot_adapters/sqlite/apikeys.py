"""API keys in SQLite: the apikeys module's slice."""

import json
import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.apikeys import ApiKey, ApiKeyQueries, ApiKeyRepository

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE api_keys (
        key_id      TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        scopes      TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
    );
    """,
        down="DROP TABLE api_keys;",
    ),
)
"""Scopes are a JSON array; an installation has a handful of keys, so ``all`` needs no index."""

_COLUMNS: Final = "key_id, name, scopes, secret_hash, created_at, revoked_at"
_KEY_BY_ID: Final = f"SELECT {_COLUMNS} FROM api_keys WHERE key_id = ?"  # noqa: S608  (constants only)
_OLDEST_FIRST: Final = f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at, key_id"  # noqa: S608
_SAVE_KEY: Final = f"INSERT OR REPLACE INTO api_keys ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"  # noqa: S608


class SqliteApiKeyRepository(ApiKeyRepository):
    """Keys inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, key_id: str) -> ApiKey | None:
        with self._session.use() as conn:
            return key_by_id(conn, key_id)

    async def save(self, key: ApiKey) -> None:
        values = (
            key.key_id,
            key.name,
            json.dumps(key.scopes),
            key.secret_hash,
            encode_time(key.created_at),
            encode_optional_time(key.revoked_at),
        )
        with self._session.use() as conn:
            conn.execute(_SAVE_KEY, values)


class SqliteApiKeyQueries(ApiKeyQueries):
    """Keys from committed state, on the read connection (each call a fresh snapshot: no cache)."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, key_id: str) -> ApiKey | None:
        return await self._reader.read(lambda conn: key_by_id(conn, key_id))

    async def all(self) -> Sequence[ApiKey]:
        return await self._reader.read(lambda conn: [_key(row) for row in conn.execute(_OLDEST_FIRST)])


def key_by_id(conn: sqlite3.Connection, key_id: str) -> ApiKey | None:
    """Return the stored key, or ``None``."""
    row = conn.execute(_KEY_BY_ID, (key_id,)).fetchone()
    return None if row is None else _key(row)


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        name=row["name"],
        scopes=tuple(json.loads(row["scopes"])),
        secret_hash=row["secret_hash"],
        created_at=decode_time(row["created_at"]),
        revoked_at=decode_optional_time(row["revoked_at"]),
    )


SLICE = SqliteSlice(
    name="api_keys",
    migrations=MIGRATIONS,
    repository=SqliteApiKeyRepository,
    queries={"api_key_queries": lambda reader, _writer: SqliteApiKeyQueries(reader)},
)
