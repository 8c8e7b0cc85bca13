"""The audit log in SQLite: the audit module's slice."""

import json
import sqlite3
from datetime import datetime
from typing import Final

from yabot_adapters.sqlite.codec import decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.audit import Actor, ActorKind, AuditEntry, AuditPage, AuditQueries, AuditRepository
from yabot_core.kernel import ConcurrentUpdateError, CorrelationId

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE audit_log (
        entry_id       TEXT PRIMARY KEY,
        actor_kind     TEXT NOT NULL,
        actor_name     TEXT NOT NULL,
        action         TEXT NOT NULL,
        target         TEXT NOT NULL,
        detail         TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        created_at     TEXT NOT NULL
    );
    CREATE INDEX audit_log_newest ON audit_log (created_at, entry_id);
    CREATE INDEX audit_log_by_target ON audit_log (target, created_at, entry_id);
    """,
        down="DROP TABLE audit_log;",
    ),
)

_COLUMNS: Final = "entry_id, actor_kind, actor_name, action, target, detail, correlation_id, created_at"
_INSERT: Final = f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608  (constants only)
_NEWEST: Final = " ORDER BY created_at DESC, entry_id DESC LIMIT ? OFFSET ?"
_FILTERS: Final = {
    "target": "target = ?",
    "since": "created_at >= ?",
    "actor": "actor_kind = ? AND actor_name = ?",
}
"""Each filter's condition: only these constants are ever joined into a query."""


class SqliteAuditRepository(AuditRepository):
    """The audit log inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def append(self, entry: AuditEntry) -> None:
        values = (
            entry.entry_id,
            entry.actor.kind.value,
            entry.actor.name,
            entry.action,
            entry.target,
            json.dumps(entry.detail, separators=(",", ":"), ensure_ascii=False),
            entry.correlation_id,
            encode_time(entry.created_at),
        )
        with self._session.use() as conn:
            try:
                conn.execute(_INSERT, values)
            except sqlite3.IntegrityError as exc:  # the id is taken: another work stored it first
                raise ConcurrentUpdateError(detail={"entry_id": entry.entry_id}) from exc


class SqliteAuditQueries(AuditQueries):
    """Pages of committed entries, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def page(
        self,
        *,
        limit: int,
        offset: int,
        target: str | None = None,
        since: datetime | None = None,
        actor: Actor | None = None,
    ) -> AuditPage:
        conditions: list[str] = []
        values: list[object] = []
        if target is not None:
            conditions.append(_FILTERS["target"])
            values.append(target)
        if since is not None:
            conditions.append(_FILTERS["since"])
            values.append(encode_time(since))
        if actor is not None:
            conditions.append(_FILTERS["actor"])
            values += [actor.kind.value, actor.name]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""

        def query(conn: sqlite3.Connection) -> AuditPage:
            (total,) = conn.execute(f"SELECT COUNT(*) FROM audit_log{where}", values).fetchone()  # noqa: S608  (constants only)
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM audit_log{where}{_NEWEST}",  # noqa: S608  (constants only)
                (*values, limit, offset),
            ).fetchall()
            return AuditPage(entries=tuple(map(_entry, rows)), total=total, limit=limit, offset=offset)

        return await self._reader.read(query)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        entry_id=row["entry_id"],
        actor=Actor(kind=ActorKind(row["actor_kind"]), name=row["actor_name"]),
        action=row["action"],
        target=row["target"],
        detail=json.loads(row["detail"]),
        correlation_id=CorrelationId(row["correlation_id"]),
        created_at=decode_time(row["created_at"]),
    )


SLICE = SqliteSlice(
    name="audit",
    migrations=MIGRATIONS,
    repository=SqliteAuditRepository,
    queries={"audit_queries": lambda reader, _writer: SqliteAuditQueries(reader)},
)
