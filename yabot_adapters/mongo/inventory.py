"""Mochila lines and operations in MongoDB: the inventory module's slice.

A line changes only from the version it was read at (a conditional replacement), so two transactions that
read the same line never both write it. Pages read the lines and their count in one snapshot transaction.
"""

from collections.abc import Mapping, Sequence
from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.snapshot import read_snapshot
from yabot_core.inventory import (
    InventoryAudit,
    InventoryLine,
    InventoryOperation,
    InventoryPage,
    InventoryQueries,
    InventoryRepository,
    ItemId,
    QuantityMismatch,
)
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId

INVENTORY_LINES: Final = "inventory_lines"
"""``{_id: "<user>/<item>", user_id, item_id, quantity, version}``: how many of one item one user holds."""
INVENTORY_OPERATIONS: Final = "inventory_operations"
"""One document per operation, ``_id`` = operation id, its idempotency key unique."""

_BY_ITEM: Final = [("user_id", ASCENDING), ("item_id", ASCENDING)]

INDEXES: Final = {
    INVENTORY_LINES: [IndexModel(_BY_ITEM, unique=True, name="inventory_lines_user_item")],
    INVENTORY_OPERATIONS: [
        # A key is applied once, across all users: the second insert fails.
        IndexModel([("idempotency_key", ASCENDING)], unique=True, name="inventory_operations_key"),
        IndexModel([("user_id", ASCENDING), ("created_at", ASCENDING)], name="inventory_operations_user"),
    ],
}


def _line_id(user_id: UserId, item_id: ItemId) -> str:
    return f"{user_id}/{item_id}"


def _line(document: Document | None) -> InventoryLine | None:
    if document is None:
        return None
    return InventoryLine.model_validate({name: value for name, value in document.items() if name != "_id"})


def _line_document(line: InventoryLine) -> Document:
    return {"_id": _line_id(line.user_id, line.item_id), **line.model_dump()}


class MongoInventoryRepository(InventoryRepository):
    """The inventory repository of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._lines = database[INVENTORY_LINES]
        self._operations = database[INVENTORY_OPERATIONS]
        self._session = session

    async def line(self, user_id: UserId, item_id: ItemId) -> InventoryLine | None:
        return _line(await self._lines.find_one({"_id": _line_id(user_id, item_id)}, session=self._session))

    async def save_line(self, line: InventoryLine) -> None:
        document = _line_document(line)
        try:
            if line.version == 1:
                await self._lines.insert_one(document, session=self._session)
                return
            moved = await self._lines.replace_one(
                {"_id": document["_id"], "version": line.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction created the line first
            raise _conflict(line) from exc
        if moved.matched_count == 0:
            raise _conflict(line)

    async def operation_by_key(self, key: IdempotencyKey) -> InventoryOperation | None:
        document = await self._operations.find_one({"idempotency_key": key}, session=self._session)
        return None if document is None else from_document(InventoryOperation, document, "operation_id")

    async def add_operation(self, operation: InventoryOperation) -> None:
        try:
            await self._operations.insert_one(to_document(operation, "operation_id"), session=self._session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdateError(detail={"idempotency_key": operation.idempotency_key}) from exc


class MongoInventoryQueries(InventoryQueries):
    """Mochilas from committed data; a page and its count from one snapshot."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._lines = database[INVENTORY_LINES]
        self._gate = gate

    async def page(self, user_id: UserId, *, limit: int, offset: int) -> InventoryPage:
        held: Document = {"user_id": user_id, "quantity": {"$gt": 0}}

        async def read(session: AsyncClientSession) -> InventoryPage:
            # The find goes first: nx-27017 refuses a transaction whose first command is an aggregate
            # (count_documents is one) with "No session specified". A limit of 0 would mean "no limit".
            cursor = self._lines.find(held, session=session).sort(_BY_ITEM).skip(offset).limit(max(limit, 1))
            lines = [line async for document in cursor if (line := _line(document))][: max(limit, 0)]
            total = await self._lines.count_documents(held, session=session)
            return InventoryPage(lines=tuple(lines), total=total, limit=limit, offset=offset)

        return await read_snapshot(self._gate, self._database, read)

    async def quantities(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        wanted = [_line_id(user_id, item_id) for item_id in dict.fromkeys(item_ids)]
        if not wanted:
            return {}
        async with self._gate.operation():
            documents = await self._lines.find({"_id": {"$in": wanted}, "quantity": {"$gt": 0}}).to_list()
        return {line.item_id: line.quantity for document in documents if (line := _line(document))}


def _conflict(line: InventoryLine) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(
        detail={"user_id": line.user_id, "item_id": line.item_id, "version": line.version}
    )


class MongoInventoryAudit(InventoryAudit):
    """Quantities against operations, read in one snapshot transaction."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._gate = gate

    async def quantity_mismatches(self) -> Sequence[QuantityMismatch]:
        async def read(session: AsyncClientSession) -> Sequence[QuantityMismatch]:
            held = {
                (document["user_id"], document["item_id"]): int(document["quantity"])
                async for document in self._database[INVENTORY_LINES].find({}, session=session)
            }
            moved: dict[tuple[int, str], int] = {}
            async for document in self._database[INVENTORY_OPERATIONS].find({}, session=session):
                # Only operations: nx-27017 was seen returning a stray {"level": ...} document here.
                for change in document.get("changes", ()) if "user_id" in document else ():
                    key = (document["user_id"], change["item_id"])
                    moved[key] = moved.get(key, 0) + int(change["delta"])
            return [
                QuantityMismatch(
                    user_id=UserId(user),
                    item_id=ItemId(item),
                    quantity=held.get((user, item), 0),
                    movements=total,
                )
                for (user, item) in sorted(held.keys() | moved.keys())
                if held.get((user, item), 0) != (total := moved.get((user, item), 0))
            ]

        return await read_snapshot(self._gate, self._database, read)


SLICE = MongoSlice(
    name="inventory",
    repository=MongoInventoryRepository,
    queries={"inventory_queries": MongoInventoryQueries, "inventory_audit": MongoInventoryAudit},
    collections=(INVENTORY_LINES, INVENTORY_OPERATIONS),
    indexes=INDEXES,
)
