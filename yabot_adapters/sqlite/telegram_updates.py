"""The webhook's inbox in SQLite: the kernel's ``telegram_updates`` slice.

Receiving is an ``INSERT OR IGNORE`` and claiming one ``UPDATE ... RETURNING``, each in the writer's
``BEGIN IMMEDIATE`` batch: a repeated id is stored once and two processes never hold one update.
"""

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_adapters.units import NOTHING, Committed
from yabot_core.kernel import InboxUpdate, UpdateInbox

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE telegram_updates (
        update_id     INTEGER PRIMARY KEY,
        order_key     INTEGER NOT NULL,
        payload       TEXT NOT NULL,
        received_at   TEXT NOT NULL,
        claim         TEXT,
        claimed_until TEXT,
        done_at       TEXT
    );
    -- Claims look for each key's oldest update not done; pruning for old done ones.
    CREATE INDEX telegram_updates_pending ON telegram_updates (order_key, update_id) WHERE done_at IS NULL;
    CREATE INDEX telegram_updates_done ON telegram_updates (done_at) WHERE done_at IS NOT NULL;
    """,
        down="DROP TABLE telegram_updates;",
    ),
)

_COLUMNS: Final = "update_id, order_key, payload, received_at, claim, claimed_until, done_at"
_RECEIVE: Final = f"INSERT OR IGNORE INTO telegram_updates ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
# The oldest update not done of each key, if nobody holds it (or the hold expired), lowest ids first.
_CLAIM: Final = (
    "UPDATE telegram_updates SET claim = :claim, claimed_until = :until WHERE update_id IN ("  # noqa: S608
    " SELECT u.update_id FROM telegram_updates AS u WHERE u.done_at IS NULL"
    " AND u.update_id = (SELECT MIN(v.update_id) FROM telegram_updates AS v"
    "  WHERE v.order_key = u.order_key AND v.done_at IS NULL)"
    " AND (u.claim IS NULL OR u.claimed_until <= :now)"
    " ORDER BY u.update_id LIMIT :limit)"
    f" RETURNING {_COLUMNS}"
)
_COMPLETE: Final = (
    "UPDATE telegram_updates SET claim = NULL, claimed_until = NULL, done_at = ?"
    " WHERE update_id = ? AND claim = ? AND done_at IS NULL"
)


class NoRepository:
    """The inbox writes outside units of work (before any handling starts): nothing in the transaction."""

    def __init__(self, _: Session) -> None:
        pass


class SqliteUpdateInbox(UpdateInbox):
    """Received updates in the ``telegram_updates`` table: writes through the writer, counts read."""

    def __init__(self, reader: Reader, writer: GroupCommitWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def receive(self, update: InboxUpdate) -> bool:
        values = _values(update)

        async def body(conn: sqlite3.Connection) -> tuple[bool, Committed]:
            return conn.execute(_RECEIVE, values).rowcount == 1, NOTHING

        return await self._writer.submit(body)

    async def claim(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[InboxUpdate]:
        if limit <= 0:
            return []
        params = {"claim": claim, "until": encode_time(until), "now": encode_time(now), "limit": limit}

        async def body(conn: sqlite3.Connection) -> tuple[list[InboxUpdate], Committed]:
            rows = conn.execute(_CLAIM, params).fetchall()
            return sorted(map(_update, rows), key=lambda update: update.update_id), NOTHING

        return await self._writer.submit(body)

    async def complete(self, update: InboxUpdate, now: datetime) -> bool:
        if update.claim is None:
            return False
        params = (encode_time(now), update.update_id, update.claim)

        async def body(conn: sqlite3.Connection) -> tuple[bool, Committed]:
            return conn.execute(_COMPLETE, params).rowcount == 1, NOTHING

        return await self._writer.submit(body)

    async def prune(self, done_before: datetime) -> int:
        params = (encode_time(done_before),)

        async def body(conn: sqlite3.Connection) -> tuple[int, Committed]:
            sql = "DELETE FROM telegram_updates WHERE done_at IS NOT NULL AND done_at < ?"
            return conn.execute(sql, params).rowcount, NOTHING

        return await self._writer.submit(body)

    async def unfinished(self) -> int:
        def query(conn: sqlite3.Connection) -> int:
            (count,) = conn.execute("SELECT COUNT(*) FROM telegram_updates WHERE done_at IS NULL").fetchone()
            return int(count)

        return await self._reader.read(query)


def _values(update: InboxUpdate) -> tuple[object, ...]:
    return (
        update.update_id,
        update.order_key,
        json.dumps(update.payload, separators=(",", ":")),
        encode_time(update.received_at),
        update.claim,
        encode_optional_time(update.claimed_until),
        encode_optional_time(update.done_at),
    )


def _update(row: sqlite3.Row) -> InboxUpdate:
    return InboxUpdate(
        update_id=row["update_id"],
        order_key=row["order_key"],
        payload=json.loads(row["payload"]),
        received_at=decode_time(row["received_at"]),
        claim=row["claim"],
        claimed_until=decode_optional_time(row["claimed_until"]),
        done_at=decode_optional_time(row["done_at"]),
    )


SLICE = SqliteSlice(
    name="telegram_updates",
    migrations=MIGRATIONS,
    repository=NoRepository,
    queries={"telegram_updates": SqliteUpdateInbox},
)
