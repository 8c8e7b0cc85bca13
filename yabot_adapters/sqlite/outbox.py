"""The SQLite outbox: events written with their unit of work, read and acknowledged by the relay."""

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

from yabot_adapters.sqlite.codec import decode_names, decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_core.kernel import Event, EventId, OutboxRecord, OutboxStore, UserId

_INSERT: Final = (
    "INSERT INTO outbox (event_id, event_type, payload, user_id, created_at) VALUES (?, ?, ?, ?, ?)"
)
_PENDING: Final = (
    "SELECT position, event_id, event_type, payload, user_id, created_at, handled_by FROM outbox"
    " ORDER BY position LIMIT ?"
)
_MARK_HANDLED: Final = (
    "UPDATE outbox SET handled_by = json_insert(handled_by, '$[#]', :handler) WHERE event_id = :event_id"
    " AND NOT EXISTS (SELECT 1 FROM json_each(outbox.handled_by) WHERE value = :handler)"
)
# One statement decides and writes, inside the writer's BEGIN IMMEDIATE: atomic across processes.
_ACQUIRE_LEASE: Final = (
    "INSERT INTO leases (name, owner, expires_at) VALUES (:name, :owner, :until)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE leases.owner = excluded.owner OR leases.expires_at <= :now"
)


def write_events(conn: sqlite3.Connection, events: Iterable[Event], now: datetime) -> None:
    """Append ``events`` to the outbox in the caller's transaction; their positions follow commit order."""
    created_at = encode_time(now)
    conn.executemany(
        _INSERT,
        [(e.event_id, e.event_type, e.to_json(), e.user_id, created_at) for e in events],
    )


class SqliteOutboxStore(OutboxStore):
    """Pending records from the read connection; acknowledgements and leases through the writer queue.

    Delivered records are deleted: the table holds only what is pending, so reading it stays fast.
    """

    def __init__(self, reader: Reader, writer: GroupCommitWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def pending(self, limit: int) -> Sequence[OutboxRecord]:
        def query(conn: sqlite3.Connection) -> list[OutboxRecord]:
            return [_record(row) for row in conn.execute(_PENDING, (limit,)).fetchall()]

        return await self._reader.read(query)

    async def mark_handled(self, event_id: EventId, handler: str) -> None:
        await self._write(_MARK_HANDLED, {"event_id": event_id, "handler": handler})

    async def mark_delivered(self, event_id: EventId) -> None:
        await self._write("DELETE FROM outbox WHERE event_id = ?", (event_id,))

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        params = {"name": name, "owner": owner, "now": encode_time(now), "until": encode_time(until)}
        return await self._write(_ACQUIRE_LEASE, params) == 1

    async def release_lease(self, name: str, owner: str) -> None:
        await self._write("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    async def _write(self, statement: str, params: Sequence[object] | Mapping[str, object]) -> int:
        """Run one statement as a write of its own (no events); return how many rows it changed."""

        async def body(conn: sqlite3.Connection) -> tuple[int, bool]:
            return conn.execute(statement, params).rowcount, False

        return await self._writer.submit(body)


def _record(row: sqlite3.Row) -> OutboxRecord:
    user_id = row["user_id"]
    return OutboxRecord(
        event_id=EventId(row["event_id"]),
        event_type=row["event_type"],
        payload=row["payload"],
        user_id=None if user_id is None else UserId(user_id),
        position=row["position"],
        created_at=decode_time(row["created_at"]),
        handled_by=decode_names(row["handled_by"]),
    )
