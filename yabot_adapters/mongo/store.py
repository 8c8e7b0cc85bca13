"""The tienda's counters and purchases in MongoDB: the store module's slice.

Counters are replaced only from the version they were read at; a purchase's idempotency key has a unique
index, so a second purchase under one key collides, whatever runs at once.
"""

from collections.abc import Mapping, Sequence
from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.snapshot import read_snapshot
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
    count_mismatches,
)

STORE_STOCK: Final = "store_stock"
"""``{_id: item id, sold, version}``: units of an item sold."""
STORE_BUYERS: Final = "store_buyers"
"""``{_id: "<user>/<item>", user_id, item_id, bought, version}``: units of an item one fan bought."""
STORE_PURCHASES: Final = "store_purchases"
"""One document per purchase, ``_id`` = purchase id."""

INDEXES: Final = {
    STORE_PURCHASES: [
        IndexModel([("idempotency_key", ASCENDING)], unique=True, name="store_purchases_key"),
        IndexModel([("user_id", ASCENDING), ("item_id", ASCENDING)], name="store_purchases_user_item"),
    ],
    STORE_BUYERS: [
        IndexModel(
            [("user_id", ASCENDING), ("item_id", ASCENDING)], unique=True, name="store_buyers_user_item"
        )
    ],
}


def _buyer_id(user_id: UserId, item_id: ItemId) -> str:
    return f"{user_id}/{item_id}"


async def _save_versioned(
    collection: AsyncCollection[Document],
    document: Document,
    version: int,
    session: AsyncClientSession,
    detail: dict[str, object],
) -> None:
    """Insert ``document`` (version 1) or replace the stored one at ``version - 1``; else a conflict."""
    conflict = ConcurrentUpdateError(detail=detail)
    try:
        if version == 1:
            await insert_new(collection, document, session)
            return
        moved = await collection.replace_one(
            {"_id": document["_id"], "version": version - 1}, document, session=session
        )
    except DuplicateKeyError as exc:  # another transaction created it first
        raise conflict from exc
    if moved.matched_count == 0:
        raise conflict


class MongoStoreRepository(StoreRepository):
    """The tienda of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._stock = database[STORE_STOCK]
        self._buyers = database[STORE_BUYERS]
        self._purchases = database[STORE_PURCHASES]
        self._session = session

    async def stock(self, item_id: ItemId) -> StockLine | None:
        document = await self._stock.find_one({"_id": item_id}, session=self._session)
        return None if document is None else from_document(StockLine, document, "item_id")

    async def save_stock(self, line: StockLine) -> None:
        detail: dict[str, object] = {"item_id": line.item_id, "version": line.version}
        await _save_versioned(self._stock, to_document(line, "item_id"), line.version, self._session, detail)

    async def buyer(self, user_id: UserId, item_id: ItemId) -> BuyerLine | None:
        document = await self._buyers.find_one({"_id": _buyer_id(user_id, item_id)}, session=self._session)
        return None if document is None else _buyer(document)

    async def save_buyer(self, line: BuyerLine) -> None:
        document = {"_id": _buyer_id(line.user_id, line.item_id), **line.model_dump(mode="python")}
        detail: dict[str, object] = {
            "user_id": line.user_id,
            "item_id": line.item_id,
            "version": line.version,
        }
        await _save_versioned(self._buyers, document, line.version, self._session, detail)

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        document = await self._purchases.find_one({"idempotency_key": key}, session=self._session)
        return None if document is None else from_document(Purchase, document, "purchase_id")

    async def add_purchase(self, purchase: Purchase) -> None:
        try:
            await insert_new(self._purchases, to_document(purchase, "purchase_id"), self._session)
        except DuplicateKeyError as exc:  # the key is taken: another transaction bought first
            raise ConcurrentUpdateError(detail={"idempotency_key": purchase.idempotency_key}) from exc


class MongoStoreQueries(StoreQueries):
    """Counters and purchases from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._stock = database[STORE_STOCK]
        self._buyers = database[STORE_BUYERS]
        self._purchases = database[STORE_PURCHASES]
        self._gate = gate

    async def sold(self, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        async with self._gate.operation():
            documents = await self._stock.find({"_id": {"$in": list(item_ids)}}).to_list()
        return {ItemId(document["_id"]): int(document["sold"]) for document in documents}

    async def bought(self, user_id: UserId, item_ids: Sequence[ItemId]) -> Mapping[ItemId, int]:
        ids = [_buyer_id(user_id, item) for item in item_ids]
        async with self._gate.operation():
            documents = await self._buyers.find({"_id": {"$in": ids}}).to_list()
        return {ItemId(document["item_id"]): int(document["bought"]) for document in documents}

    async def purchase_by_key(self, key: IdempotencyKey) -> Purchase | None:
        async with self._gate.operation():
            document = await self._purchases.find_one({"idempotency_key": key})
        return None if document is None else from_document(Purchase, document, "purchase_id")


class MongoStoreAudit(StoreAudit):
    """Counters against purchases, read in one snapshot and counted here."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._gate = gate

    async def count_mismatches(self) -> Sequence[CountMismatch]:
        async def read(session: AsyncClientSession) -> Sequence[CountMismatch]:
            database = self._database
            stock = [
                from_document(StockLine, document, "item_id")
                async for document in database[STORE_STOCK].find({}, session=session)
                if "sold" in document  # only counters: nx-27017 was seen returning stray documents
            ]
            buyers = [
                _buyer(document)
                async for document in database[STORE_BUYERS].find({}, session=session)
                if "bought" in document
            ]
            purchases = [
                (UserId(document["user_id"]), ItemId(document["item_id"]))
                async for document in database[STORE_PURCHASES].find(
                    {}, {"user_id": 1, "item_id": 1}, session=session
                )
                if "user_id" in document
            ]
            return count_mismatches(stock, buyers, purchases)

        return await read_snapshot(self._gate, self._database, read)


def _buyer(document: Document) -> BuyerLine:
    return BuyerLine.model_validate({name: value for name, value in document.items() if name != "_id"})


SLICE = MongoSlice(
    name="store",
    repository=MongoStoreRepository,
    queries={"store_queries": MongoStoreQueries, "store_audit": MongoStoreAudit},
    collections=(STORE_STOCK, STORE_BUYERS, STORE_PURCHASES),
    indexes=INDEXES,
)
