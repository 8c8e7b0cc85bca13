"""Subscriptions and their histories in SQLite: the subscriptions module's slice.

The open subscriptions (not ended) are indexed by their end, so listing the VIPs ending soon and finding
those due to expire read only the rows they return.
"""

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from yabot_adapters.sqlite.codec import decode_optional_time, decode_time, encode_optional_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, CorrelationId, IdempotencyKey, UserId
from yabot_core.subscriptions import (
    EntryKind,
    SourceKind,
    StoredSubscription,
    Subscription,
    SubscriptionAudit,
    SubscriptionEntry,
    SubscriptionHistory,
    SubscriptionPage,
    SubscriptionQueries,
    SubscriptionRepository,
    SubscriptionStatement,
)

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE subscriptions (
        user_id           INTEGER PRIMARY KEY,
        vip_until         TEXT NOT NULL,
        period_started_at TEXT NOT NULL,
        period_sequence   INTEGER NOT NULL,
        ended_at          TEXT,
        cancelled_at      TEXT,
        plan_id           TEXT,
        sequence          INTEGER NOT NULL CHECK (sequence >= 1),
        updated_at        TEXT NOT NULL
    );
    CREATE INDEX subscriptions_open_by_end ON subscriptions (vip_until, user_id) WHERE ended_at IS NULL;
    CREATE TABLE subscription_entries (
        entry_id        TEXT PRIMARY KEY,
        user_id         INTEGER NOT NULL,
        sequence        INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        days            INTEGER,
        requested_until TEXT,
        seconds         INTEGER NOT NULL,
        vip_until       TEXT NOT NULL,
        source          TEXT NOT NULL,
        reference       TEXT,
        plan_id         TEXT,
        reason          TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        correlation_id  TEXT NOT NULL,
        actor           TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        UNIQUE (user_id, sequence)
    );
    """,
        down="""
    DROP TABLE subscription_entries;
    DROP TABLE subscriptions;
    """,
    ),
)

_STATE: Final = (
    "user_id, vip_until, period_started_at, period_sequence, ended_at, cancelled_at, plan_id, sequence,"
    " updated_at"
)
_STATE_BY_USER: Final = f"SELECT {_STATE} FROM subscriptions WHERE user_id = ?"  # noqa: S608  (constants only)
_INSERT_STATE: Final = f"INSERT INTO subscriptions ({_STATE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_MOVE_STATE: Final = (
    "UPDATE subscriptions SET vip_until = ?, period_started_at = ?, period_sequence = ?, ended_at = ?,"
    " cancelled_at = ?, plan_id = ?, sequence = ?, updated_at = ? WHERE user_id = ? AND sequence = ?"
)
_ENTRY: Final = (
    "entry_id, user_id, sequence, kind, days, requested_until, seconds, vip_until, source, reference,"
    " plan_id, reason, idempotency_key, correlation_id, actor, created_at"
)
_ENTRY_BY_KEY: Final = f"SELECT {_ENTRY} FROM subscription_entries WHERE idempotency_key = ?"  # noqa: S608
_INSERT_ENTRY: Final = (
    f"INSERT INTO subscription_entries ({_ENTRY}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
)
_HISTORY: Final = (
    f"SELECT {_ENTRY} FROM subscription_entries WHERE user_id = ? ORDER BY sequence DESC LIMIT ? OFFSET ?"  # noqa: S608
)


class SqliteSubscriptionRepository(SubscriptionRepository):
    """Subscriptions inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId) -> Subscription | None:
        with self._session.use() as conn:
            return _state_of(conn, user_id)

    async def entry_by_key(self, key: IdempotencyKey) -> SubscriptionEntry | None:
        with self._session.use() as conn:
            row = conn.execute(_ENTRY_BY_KEY, (key,)).fetchone()
        return None if row is None else _entry(row)

    async def append(self, entry: SubscriptionEntry, subscription: Subscription) -> None:
        # The savepoint makes append all-or-nothing even for a work that catches the conflict and goes on.
        with self._session.savepoint("subscription_append") as conn:
            state = _state_values(subscription)
            try:
                if entry.sequence == 1:
                    conn.execute(_INSERT_STATE, state)
                elif not conn.execute(_MOVE_STATE, (*state[1:], entry.user_id, entry.sequence - 1)).rowcount:
                    raise ConcurrentUpdateError(detail={"user_id": entry.user_id, "sequence": entry.sequence})
                conn.execute(_INSERT_ENTRY, _entry_values(entry))
            except sqlite3.IntegrityError as exc:  # the user's first entry, or the key, taken meanwhile
                raise ConcurrentUpdateError(
                    detail={"user_id": entry.user_id, "idempotency_key": entry.idempotency_key}
                ) from exc


class SqliteSubscriptionQueries(SubscriptionQueries):
    """Subscriptions from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, user_id: UserId) -> Subscription | None:
        return await self._reader.read(lambda conn: _state_of(conn, user_id))

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> SubscriptionStatement:
        def query(conn: sqlite3.Connection) -> SubscriptionStatement:
            subscription = _state_of(conn, user_id)
            rows = conn.execute(_HISTORY, (user_id, limit, offset)).fetchall() if subscription else []
            history = SubscriptionHistory(
                entries=tuple(map(_entry, rows)),
                total=0 if subscription is None else subscription.sequence,  # one entry per sequence
                limit=limit,
                offset=offset,
            )
            return SubscriptionStatement(user_id=user_id, subscription=subscription, history=history)

        return await self._reader.read(query)

    async def open_ending(
        self, *, after: datetime | None, before: datetime | None, limit: int, offset: int
    ) -> SubscriptionPage:
        where = "ended_at IS NULL"
        bounds: list[object] = []
        if after is not None:
            where += " AND vip_until > ?"
            bounds.append(encode_time(after))
        if before is not None:
            where += " AND vip_until <= ?"
            bounds.append(encode_time(before))

        def query(conn: sqlite3.Connection) -> SubscriptionPage:
            (total,) = conn.execute(f"SELECT COUNT(*) FROM subscriptions WHERE {where}", bounds).fetchone()  # noqa: S608  (placeholders only)
            rows = conn.execute(
                f"SELECT {_STATE} FROM subscriptions WHERE {where}"  # noqa: S608  (placeholders only)
                " ORDER BY vip_until, user_id LIMIT ? OFFSET ?",
                (*bounds, limit, offset),
            ).fetchall()
            page = tuple(map(_state, rows))
            return SubscriptionPage(subscriptions=page, total=total, limit=limit, offset=offset)

        return await self._reader.read(query)


def _state_of(conn: sqlite3.Connection, user_id: UserId) -> Subscription | None:
    row = conn.execute(_STATE_BY_USER, (user_id,)).fetchone()
    return None if row is None else _state(row)


def _state_values(subscription: Subscription) -> tuple[object, ...]:
    return (
        subscription.user_id,
        encode_time(subscription.vip_until),
        encode_time(subscription.period_started_at),
        subscription.period_sequence,
        encode_optional_time(subscription.ended_at),
        encode_optional_time(subscription.cancelled_at),
        subscription.plan_id,
        subscription.sequence,
        encode_time(subscription.updated_at),
    )


def _state(row: sqlite3.Row) -> Subscription:
    return Subscription(
        user_id=UserId(row["user_id"]),
        vip_until=decode_time(row["vip_until"]),
        period_started_at=decode_time(row["period_started_at"]),
        period_sequence=row["period_sequence"],
        ended_at=decode_optional_time(row["ended_at"]),
        cancelled_at=decode_optional_time(row["cancelled_at"]),
        plan_id=row["plan_id"],
        sequence=row["sequence"],
        updated_at=decode_time(row["updated_at"]),
    )


def _entry_values(entry: SubscriptionEntry) -> tuple[object, ...]:
    return (
        entry.entry_id,
        entry.user_id,
        entry.sequence,
        entry.kind.value,
        entry.days,
        encode_optional_time(entry.requested_until),
        entry.seconds,
        encode_time(entry.vip_until),
        entry.source.value,
        entry.reference,
        entry.plan_id,
        entry.reason,
        entry.idempotency_key,
        entry.correlation_id,
        entry.actor,
        encode_time(entry.created_at),
    )


def _entry(row: sqlite3.Row) -> SubscriptionEntry:
    return SubscriptionEntry(
        entry_id=row["entry_id"],
        user_id=UserId(row["user_id"]),
        sequence=row["sequence"],
        kind=EntryKind(row["kind"]),
        days=row["days"],
        requested_until=decode_optional_time(row["requested_until"]),
        seconds=row["seconds"],
        vip_until=decode_time(row["vip_until"]),
        source=SourceKind(row["source"]),
        reference=row["reference"],
        plan_id=row["plan_id"],
        reason=row["reason"],
        idempotency_key=IdempotencyKey(row["idempotency_key"]),
        correlation_id=CorrelationId(row["correlation_id"]),
        actor=row["actor"],
        created_at=decode_time(row["created_at"]),
    )


class SqliteSubscriptionAudit(SubscriptionAudit):
    """Every subscription beside its history, in one read snapshot."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def stored_with_history(self) -> Sequence[StoredSubscription]:
        def query(conn: sqlite3.Connection) -> list[StoredSubscription]:
            states = {row[0]: _state(row) for row in conn.execute(f"SELECT {_STATE} FROM subscriptions")}  # noqa: S608  (constants only)
            histories: dict[int, list[SubscriptionEntry]] = {}
            for row in conn.execute(f"SELECT {_ENTRY} FROM subscription_entries ORDER BY user_id, sequence"):  # noqa: S608
                histories.setdefault(row[1], []).append(_entry(row))
            return [
                StoredSubscription(
                    user_id=UserId(user), stored=states.get(user), history=tuple(histories.get(user, ()))
                )
                for user in sorted(states.keys() | histories.keys())
            ]

        return await self._reader.read(query)


SLICE = SqliteSlice(
    name="subscriptions",
    migrations=MIGRATIONS,
    repository=SqliteSubscriptionRepository,
    queries={
        "subscription_queries": lambda reader, _writer: SqliteSubscriptionQueries(reader),
        "subscription_audit": lambda reader, _writer: SqliteSubscriptionAudit(reader),
    },
)
