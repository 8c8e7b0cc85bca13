"""Durable timers in SQLite: the kernel's timers slice.

A claim is one ``UPDATE ... RETURNING`` in the writer's ``BEGIN IMMEDIATE`` batch, so two processes never
hold one timer; completing deletes the timer only if it still carries the completing claim.
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
from yabot_core.kernel import CorrelationId, Timer, TimerRepository, TimerStore, UserId

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE timers (
        key            TEXT PRIMARY KEY,
        kind           TEXT NOT NULL,
        due_at         TEXT NOT NULL,
        payload        TEXT NOT NULL,
        user_id        INTEGER,
        correlation_id TEXT,
        scheduled_at   TEXT NOT NULL,
        claim          TEXT,
        claimed_until  TEXT
    );
    -- Only unclaimed timers are looked up by due time; claimed ones are few (in flight).
    CREATE INDEX timers_unclaimed_by_due ON timers (due_at) WHERE claim IS NULL;
    CREATE INDEX timers_claimed ON timers (claimed_until) WHERE claim IS NOT NULL;
    CREATE INDEX timers_by_kind ON timers (kind, due_at);
    """,
        down="DROP TABLE timers;",
    ),
)

_COLUMNS: Final = "key, kind, due_at, payload, user_id, correlation_id, scheduled_at, claim, claimed_until"
_SAVE: Final = f"INSERT OR REPLACE INTO timers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_BY_KEY: Final = f"SELECT {_COLUMNS} FROM timers WHERE key = ?"  # noqa: S608
_CLAIMABLE: Final = (
    "SELECT key FROM timers WHERE claim IS NULL AND due_at <= :now"
    " UNION ALL SELECT key FROM timers WHERE claim IS NOT NULL AND claimed_until <= :now AND due_at <= :now"
)
# Earliest due first: the subquery picks the keys in due order, the UPDATE claims exactly those.
_CLAIM: Final = (
    "UPDATE timers SET claim = :claim, claimed_until = :until WHERE key IN"  # noqa: S608
    f" (SELECT key FROM timers WHERE key IN ({_CLAIMABLE}) ORDER BY due_at, key LIMIT :limit)"
    f" RETURNING {_COLUMNS}"
)


class SqliteTimerRepository(TimerRepository):
    """Timers inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.wakes = False

    async def schedule(self, timer: Timer) -> None:
        self.wakes = True  # the ticker of this process looks again at once (see SlicedUnitOfWork)
        with self._session.use() as conn:
            conn.execute(_SAVE, _values(timer.model_copy(update={"claim": None, "claimed_until": None})))

    async def cancel(self, key: str) -> bool:
        with self._session.use() as conn:
            return conn.execute("DELETE FROM timers WHERE key = ?", (key,)).rowcount == 1

    async def get(self, key: str) -> Timer | None:
        with self._session.use() as conn:
            row = conn.execute(_BY_KEY, (key,)).fetchone()
        return None if row is None else _timer(row)

    async def complete(self, timer: Timer) -> bool:
        if timer.claim is None:
            return False
        with self._session.use() as conn:
            deleted = conn.execute("DELETE FROM timers WHERE key = ? AND claim = ?", (timer.key, timer.claim))
            return deleted.rowcount == 1


class SqliteTimerStore(TimerStore):
    """Claims through the writer (atomic across processes); listings from the read connection."""

    def __init__(self, reader: Reader, writer: GroupCommitWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def claim_due(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[Timer]:
        if limit <= 0:
            return []
        params = {"claim": claim, "until": encode_time(until), "now": encode_time(now), "limit": limit}

        async def body(conn: sqlite3.Connection) -> tuple[list[Timer], Committed]:
            rows = conn.execute(_CLAIM, params).fetchall()
            return sorted(map(_timer, rows), key=lambda timer: (timer.due_at, timer.key)), NOTHING

        return await self._writer.submit(body)

    async def pending(self, *, limit: int, kind: str | None = None) -> Sequence[Timer]:
        def query(conn: sqlite3.Connection) -> list[Timer]:
            if kind is None:
                sql = f"SELECT {_COLUMNS} FROM timers ORDER BY due_at, key LIMIT ?"  # noqa: S608
                rows = conn.execute(sql, (max(0, limit),)).fetchall()
            else:
                sql = f"SELECT {_COLUMNS} FROM timers WHERE kind = ? ORDER BY due_at, key LIMIT ?"  # noqa: S608
                rows = conn.execute(sql, (kind, max(0, limit))).fetchall()
            return [_timer(row) for row in rows]

        return await self._reader.read(query)

    async def next_due(self) -> datetime | None:
        def query(conn: sqlite3.Connection) -> datetime | None:
            (unclaimed,) = conn.execute("SELECT MIN(due_at) FROM timers WHERE claim IS NULL").fetchone()
            (claimed,) = conn.execute(
                "SELECT MIN(MAX(due_at, claimed_until)) FROM timers WHERE claim IS NOT NULL"
            ).fetchone()
            found = [decode_time(text) for text in (unclaimed, claimed) if text is not None]
            return min(found, default=None)

        return await self._reader.read(query)


def _values(timer: Timer) -> tuple[object, ...]:
    return (
        timer.key,
        timer.kind,
        encode_time(timer.due_at),
        json.dumps(timer.payload, separators=(",", ":")),
        timer.user_id,
        timer.correlation_id,
        encode_time(timer.scheduled_at),
        timer.claim,
        encode_optional_time(timer.claimed_until),
    )


def _timer(row: sqlite3.Row) -> Timer:
    user_id, correlation_id = row["user_id"], row["correlation_id"]
    return Timer(
        key=row["key"],
        kind=row["kind"],
        due_at=decode_time(row["due_at"]),
        payload=json.loads(row["payload"]),
        user_id=None if user_id is None else UserId(user_id),
        correlation_id=None if correlation_id is None else CorrelationId(correlation_id),
        scheduled_at=decode_time(row["scheduled_at"]),
        claim=row["claim"],
        claimed_until=decode_optional_time(row["claimed_until"]),
    )


SLICE = SqliteSlice(
    name="timers",
    migrations=MIGRATIONS,
    repository=SqliteTimerRepository,
    queries={"timer_store": SqliteTimerStore},
)
