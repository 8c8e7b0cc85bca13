"""Mochila lines and operations in SQLite: the inventory module's slice."""

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Final

from yabot_adapters.sqlite.codec import decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.inventory import (
    InventoryAudit,
    InventoryLine,
    InventoryOperation,
    InventoryPage,
    InventoryQueries,
    InventoryRepository,
    ItemChange,
    ItemId,
    OperationKind,
    QuantityMismatch,
)
from yabot_core.kernel import ConcurrentUpdateError, CorrelationId, IdempotencyKey, UserId

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE inventory_lines (
        user_id  INTEGER NOT NULL,
        item_id  TEXT NOT NULL,
        quantity INTEGER NOT NULL CHECK (quantity >= 0),
        version  INTEGER NOT NULL CHECK (version >= 1),
        PRIMARY KEY (user_id, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE inventory_operations (
        operation_id    TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        user_id         INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        items           TEXT NOT NULL,
        quantity        INTEGER NOT NULL,
        changes         TEXT NOT NULL,
        reason          TEXT NOT NULL,
        note            TEXT,
        correlation_id  TEXT NOT NULL,
        created_at      TEXT NOT NULL
    );
    CREATE INDEX inventory_operations_by_user ON inventory_operations (user_id, created_at);
    """,
        down="""
    DROP TABLE inventory_operations;
    DROP TABLE inventory_lines;
    """,
    ),
)

_LINE: Final = "SELECT user_id, item_id, quantity, version FROM inventory_lines"
_LINE_BY_KEY: Final = _LINE + " WHERE user_id = ? AND item_id = ?"
_HELD_PAGE: Final = _LINE + " WHERE user_id = ? AND quantity > 0 ORDER BY item_id LIMIT ? OFFSET ?"
_HELD_COUNT: Final = "SELECT COUNT(*) FROM inventory_lines WHERE user_id = ? AND quantity > 0"
_INSERT_LINE: Final = "INSERT INTO inventory_lines (user_id, item_id, quantity, version) VALUES (?, ?, ?, 1)"
_MOVE_LINE: Final = (
    "UPDATE inventory_lines SET quantity = ?, version = ? WHERE user_id = ? AND item_id = ? AND version = ?"
)
_OPERATION_COLUMNS: Final = (
    "operation_id, idempotency_key, user_id, kind, items, quantity, changes, reason, note, correlation_id,"
    " created_at"
)
_OPERATION_BY_KEY: Final = f"SELECT {_OPERATION_COLUMNS} FROM inventory_operations WHERE idempotency_key = ?"  # noqa: S608  (constants only)
_INSERT_OPERATION: Final = (
    f"INSERT INTO inventory_operations ({_OPERATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
)


class SqliteInventoryRepository(InventoryRepository):
    """Mochilas inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def line(self, user_id: UserId, item_id: ItemId) -> InventoryLine | None:
        with self._session.use() as conn:
            row = conn.execute(_LINE_BY_KEY, (user_id, item_id)).fetchone()
        return None if row is None else _line(row)

    async def save_line(self, line: InventoryLine) -> None:
        with self._session.use() as conn:
            if line.version == 1:
                try:
                    conn.execute(_INSERT_LINE, (line.user_id, line.item_id, line.quantity))
                except sqlite3.IntegrityError as exc:  # another work created the line first
                    raise _conflict(line) from exc
                return
            values = (line.quantity, line.version, line.user_id, line.item_id, line.version - 1)
            if conn.execute(_MOVE_LINE, values).rowcount == 0:
                raise _conflict(line)

    async def operation_by_key(self, key: IdempotencyKey) -> InventoryOperation | None:
        with self._session.use() as conn:
            row = conn.execute(_OPERATION_BY_KEY, (key,)).fetchone()
        return None if row is None else _operation(row)

    async def add_operation(self, operation: InventoryOperation) -> None:
        values = (
            operation.operation_id,
            operation.idempotency_key,
            operation.user_id,
            operation.kind.value,
            json.dumps(operation.items),
            operation.quantity,
            json.dumps([change.model_dump() for change in operation.changes], separators=(",", ":")),
            operation.reason,
            operation.note,
            operation.correlation_id,
            encode_time(operation.created_at),
        )
        with self._session.use() as conn:
            try:
                conn.execute(_INSERT_OPERATION, values)
            except sqlite3.IntegrityError as exc:  # the key (or id) is taken: another work stored it first
                raise ConcurrentUpdateError(detail={"idempotency_key": operation.idempotency_key}) from exc


class SqliteInventoryQueries(InventoryQueries):
    """Mochilas from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def page(self, user_id: UserId, *, limit: int, offset: int) -> InventoryPage:
        def query(conn: sqlite3.Connection) -> InventoryPage:
            (total,) = conn.execute(_HELD_COUNT, (user_id,)).fetchone()
            rows = conn.execute(_HELD_PAGE, (user_id, limit, offset)).fetchall()
            return InventoryPage(lines=tuple(map(_line, rows)), total=total, limit=limit, offset=offset)

        return await self._reader.read(query)

    async def quantities(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        wanted = list(dict.fromkeys(item_ids))
        if not wanted:
            return {}

        def query(conn: sqlite3.Connection) -> dict[ItemId, int]:
            marks = ", ".join("?" * len(wanted))
            rows = conn.execute(
                f"SELECT item_id, quantity FROM inventory_lines WHERE user_id = ? AND quantity > 0"  # noqa: S608  (placeholders only)
                f" AND item_id IN ({marks})",
                (user_id, *wanted),
            ).fetchall()
            return {ItemId(row["item_id"]): row["quantity"] for row in rows}

        return await self._reader.read(query)


def _conflict(line: InventoryLine) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(
        detail={"user_id": line.user_id, "item_id": line.item_id, "version": line.version}
    )


def _line(row: sqlite3.Row) -> InventoryLine:
    return InventoryLine(
        user_id=UserId(row["user_id"]),
        item_id=ItemId(row["item_id"]),
        quantity=row["quantity"],
        version=row["version"],
    )


def _operation(row: sqlite3.Row) -> InventoryOperation:
    return InventoryOperation(
        operation_id=row["operation_id"],
        idempotency_key=IdempotencyKey(row["idempotency_key"]),
        user_id=UserId(row["user_id"]),
        kind=OperationKind(row["kind"]),
        items=tuple(ItemId(item) for item in json.loads(row["items"])),
        quantity=row["quantity"],
        changes=tuple(ItemChange.model_validate(change) for change in json.loads(row["changes"])),
        reason=row["reason"],
        note=row["note"],
        correlation_id=CorrelationId(row["correlation_id"]),
        created_at=decode_time(row["created_at"]),
    )


_MISMATCHES: Final = """
    WITH moved AS (
        SELECT o.user_id, json_extract(c.value, '$.item_id') AS item_id,
               SUM(json_extract(c.value, '$.delta')) AS total
        FROM inventory_operations AS o, json_each(o.changes) AS c
        GROUP BY 1, 2
    ),
    keys AS (SELECT user_id, item_id FROM inventory_lines UNION SELECT user_id, item_id FROM moved)
    SELECT k.user_id, k.item_id, COALESCE(l.quantity, 0), COALESCE(m.total, 0)
    FROM keys AS k
    LEFT JOIN inventory_lines AS l ON l.user_id = k.user_id AND l.item_id = k.item_id
    LEFT JOIN moved AS m ON m.user_id = k.user_id AND m.item_id = k.item_id
    WHERE COALESCE(l.quantity, 0) != COALESCE(m.total, 0)
    ORDER BY k.user_id, k.item_id
"""


class SqliteInventoryAudit(InventoryAudit):
    """Quantities against operations (their ``changes`` JSON), in one read snapshot."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def quantity_mismatches(self) -> Sequence[QuantityMismatch]:
        rows = await self._reader.read(lambda conn: conn.execute(_MISMATCHES).fetchall())
        return [
            QuantityMismatch(user_id=UserId(user), item_id=ItemId(item), quantity=held, movements=total)
            for user, item, held, total in rows
        ]


SLICE = SqliteSlice(
    name="inventory",
    migrations=MIGRATIONS,
    repository=SqliteInventoryRepository,
    queries={
        "inventory_queries": lambda reader, _writer: SqliteInventoryQueries(reader),
        "inventory_audit": lambda reader, _writer: SqliteInventoryAudit(reader),
    },
)
