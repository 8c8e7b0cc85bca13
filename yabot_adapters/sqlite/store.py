"""The tienda's counters and purchases in SQLite: the store module's slice.

Counters move by compare-and-set on their version; a purchase's idempotency key is unique, so a second
purchase under one key fails its insert, whatever runs at once.
"""

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Final

from yabot_adapters.sqlite.codec import decode_time, encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.inventory import ItemId
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.store import (
    BuyerLine,
    CountMismatch,
    Purchase,
    StockLine,
    StoreAudit,
    StoreQueries,
    StoreRepository,
)

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE store_stock (
        item_id TEXT PRIMARY KEY,
        sold    INTEGER NOT NULL CHECK (sold >= 0),
        version INTEGER NOT NULL CHECK (version >= 1)
    ) WITHOUT ROWID;
    CREATE TABLE store_buyers (
        user_id INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        bought  INTEGER NOT NULL CHECK (bought >= 0),
        version INTEGER NOT NULL CHECK (version >= 1),
        PRIMARY KEY (user_id, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE store_purchases (
        purchase_id     TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        user_id         INTEGER NOT NULL,
        item_id         TEXT NOT NULL,
        price           INTEGER NOT NULL CHECK (price >= 1),
        entry_id        TEXT NOT NULL,
        operation_id    TEXT NOT NULL,
        created_at      TEXT NOT NULL
    );
    CREATE INDEX store_purchases_by_user ON store_purchases (user_id, item_id);
    """,
        down="""
    DROP TABLE store_purchases;
    DROP TABLE store_buyers;
    DROP TABLE store_stock;
    """,
    ),
)

_STOCK: Final = "SELECT item_id, sold, version FROM store_stock WHERE item_id = ?"
_INSERT_STOCK: Final = "INSERT INTO store_stock (item_id, sold, version) VALUES (?, ?, 1)"
_MOVE_STOCK: Final = "UPDATE store_stock SET sold = ?, version = ? WHERE item_id = ? AND version = ?"
_BUYER: Final = "SELECT user_id, item_id, bought, version FROM store_buyers WHERE user_id = ? AND item_id = ?"
_INSERT_BUYER: Final = "INSERT INTO store_buyers (user_id, item_id, bought, version) VALUES (?, ?, ?, 1)"
_MOVE_BUYER: Final = (
    "UPDATE store_buyers SET bought = ?, version = ? WHERE user_id = ? AND item_id = ? AND version = ?"
)
_COLUMNS: Final = "purchase_id, idempotency_key, user_id, item_id, price, entry_id, operation_id, created_at"
_PURCHASE_BY_KEY: Final = f"SELECT {_COLUMNS} FROM store_purchases WHERE idempotency_key = ?"  # noqa: S608  (constants only)
_INSERT_PURCHASE: Final = f"INSERT INTO store_purchases ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608

_SOLD_MISMATCHES: Final = """
    WITH counted AS (SELECT item_id, COUNT(*) AS n FROM store_purchases GROUP BY item_id),
         items AS (SELECT item_id FROM store_stock UNION SELECT item_id FROM counted)
    SELECT i.item_id, COALESCE(s.sold, 0), COALESCE(c.n, 0), COALESCE(s.version, 0)
    FROM items AS i
    LEFT JOIN store_stock AS s ON s.item_id = i.item_id
    LEFT JOIN counted AS c ON c.item_id = i.item_id
    WHERE COALESCE(s.sold, 0) != COALESCE(c.n, 0)
    ORDER BY i.item_id
"""
_BOUGHT_MISMATCHES: Final = """
    WITH counted AS (
             SELECT user_id, item_id, COUNT(*) AS n FROM store_purchases GROUP BY user_id, item_id
         ),
         fans AS (SELECT user_id, item_id FROM store_buyers UNION SELECT user_id, item_id FROM counted)
    SELECT f.item_id, f.user_id, COALESCE(b.bought, 0), COALESCE(c.n, 0), COALESCE(b.version, 0)
    FROM fans AS f
    LEFT JOIN store_buyers AS b ON b.user_id = f.user_id AND b.item_id = f.item_id
    LEFT JOIN counted AS c ON c.user_id = f.user_id AND c.item_id = f.item_id
    WHERE COALESCE(b.bought, 0) != COALESCE(c.n, 0)
    ORDER BY f.item_id, f.user_id
"""


class SqliteStoreRepository(StoreRepository):
    """The tienda inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def stock(self, item_id: ItemId) -> StockLine | None:
        with self._session.use() as conn:
            row = conn.execute(_STOCK, (item_id,)).fetchone()
        return None if row is None else StockLine(item_id=row[0], sold=row[1], version=row[2])

    async def save_stock(self, line: StockLine) -> None:
        conflict = ConcurrentUpdateError(detail={"item_id": line.item_id, "version": line.version})
        with self._session.use() as conn:
            if line.version == 1:
                try:
                    conn.execute(_INSERT_STOCK, (line.item_id, line.sold))
                except sqlite3.IntegrityError as exc:  # another work sold the first unit
                    raise conflict from exc
                return
            values = (line.sold, line.version, line.item_id, line.version - 1)
            if conn.execute(_MOVE_STOCK, values).rowcount == 0:
                raise conflict

    async def buyer(self, user_id: UserId, item_id: ItemId) -> BuyerLine | None:
        with self._session.use() as conn:
            row = conn.execute(_BUYER, (user_id, item_id)).fetchone()
        return (
            None if row is None else BuyerLine(user_id=row[0], item_id=row[1], bought=row[2], version=row[3])
        )

    async def save_buyer(self, line: BuyerLine) -> None:
        detail = {"user_id": line.user_id, "item_id": line.item_id, "version": line.version}
        conflict = ConcurrentUpdateError(detail=detail)
        with self._session.use() as conn:
            if line.version == 1:
                try:
                    conn.execute(_INSERT_BUYER, (line.user_id, line.item_id, line.bought))
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            values = (line.bought, line.version, line.user_id, line.item_id, line.version - 1)
            if conn.execute(_MOVE_BUYER, values).rowcount == 0:
                raise conflict

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        with self._session.use() as conn:
            row = conn.execute(_PURCHASE_BY_KEY, (key,)).fetchone()
        return None if row is None else _purchase(row)

    async def add_purchase(self, purchase: Purchase) -> None:
        values = (
            purchase.purchase_id,
            purchase.idempotency_key,
            purchase.user_id,
            purchase.item_id,
            purchase.price,
            purchase.entry_id,
            purchase.operation_id,
            encode_time(purchase.created_at),
        )
        with self._session.use() as conn:
            try:
                conn.execute(_INSERT_PURCHASE, values)
            except sqlite3.IntegrityError as exc:  # the key is taken: another work bought first
                raise ConcurrentUpdateError(detail={"idempotency_key": purchase.idempotency_key}) from exc


class SqliteStoreQueries(StoreQueries):
    """Counters and purchases from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def sold(self, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        marks = ", ".join("?" * len(item_ids))
        query = f"SELECT item_id, sold FROM store_stock WHERE item_id IN ({marks})"  # noqa: S608  (marks only)
        rows = await self._reader.read(lambda conn: conn.execute(query, tuple(item_ids)).fetchall())
        return {ItemId(item): sold for item, sold in rows}

    async def bought(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        marks = ", ".join("?" * len(item_ids))
        query = f"SELECT item_id, bought FROM store_buyers WHERE user_id = ? AND item_id IN ({marks})"  # noqa: S608
        rows = await self._reader.read(lambda conn: conn.execute(query, (user_id, *item_ids)).fetchall())
        return {ItemId(item): bought for item, bought in rows}

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        def query(conn: sqlite3.Connection) -> Purchase | None:
            row = conn.execute(_PURCHASE_BY_KEY, (key,)).fetchone()
            return None if row is None else _purchase(row)

        return await self._reader.read(query)


class SqliteStoreAudit(StoreAudit):
    """Counters against purchases, both counted by SQL in one read snapshot."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def count_mismatches(self) -> Sequence[CountMismatch]:
        def query(conn: sqlite3.Connection) -> list[CountMismatch]:
            found = [
                CountMismatch(item_id=ItemId(item), counted=sold, purchases=count, version=version)
                for item, sold, count, version in conn.execute(_SOLD_MISMATCHES).fetchall()
            ]
            return found + [
                CountMismatch(
                    item_id=ItemId(item),
                    user_id=UserId(user),
                    counted=bought,
                    purchases=count,
                    version=version,
                )
                for item, user, bought, count, version in conn.execute(_BOUGHT_MISMATCHES).fetchall()
            ]

        return await self._reader.read(query)


def _purchase(row: sqlite3.Row) -> Purchase:
    purchase_id, key, user_id, item_id, price, entry_id, operation_id, created_at = row
    return Purchase(
        purchase_id=purchase_id,
        idempotency_key=IdempotencyKey(key),
        user_id=UserId(user_id),
        item_id=ItemId(item_id),
        price=price,
        entry_id=entry_id,
        operation_id=operation_id,
        created_at=decode_time(created_at),
    )


SLICE = SqliteSlice(
    name="store",
    migrations=MIGRATIONS,
    repository=SqliteStoreRepository,
    queries={
        "store_queries": lambda reader, _writer: SqliteStoreQueries(reader),
        "store_audit": lambda reader, _writer: SqliteStoreAudit(reader),
    },
)
