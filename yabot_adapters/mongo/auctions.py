"""Auctions and bids in MongoDB: the auctions module's slice.

An auction's ``_id`` is its id and it moves only from the version it was read at; a bid's ``_id`` is
``<auction>/<request key>``, so one tap never bids twice. The model is kept as JSON text (``model``): BSON
dates keep milliseconds only, and an auction's end must survive to the microsecond it was set to.
"""

from collections.abc import Sequence
from datetime import UTC
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.auctions import Auction, AuctionQueries, AuctionRepository, AuctionStatus, Bid
from yabot_core.kernel import ConcurrentUpdateError

AUCTIONS: Final = "auctions"
"""One document per auction, ``_id`` = its id."""
AUCTION_BIDS: Final = "auction_bids"
"""One document per bid, ``_id`` = ``<auction>/<request key>``."""

_BY_END: Final = [("status", ASCENDING), ("ends_at", ASCENDING)]
_BY_AMOUNT: Final = [("auction_id", ASCENDING), ("amount", DESCENDING)]

INDEXES: Final = {
    AUCTIONS: [IndexModel(_BY_END, name="auctions_status_end")],
    AUCTION_BIDS: [IndexModel(_BY_AMOUNT, name="auction_bids_amount")],
}


def _auction_document(auction: Auction) -> Document:
    return {
        "_id": auction.auction_id,
        "status": auction.status.value,
        "ends_at": auction.ends_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "version": auction.version,
        "model": auction.model_dump_json(),
    }


def _bid_document(bid: Bid) -> Document:
    return {
        "_id": f"{bid.auction_id}/{bid.request_key}",
        "auction_id": bid.auction_id,
        "amount": bid.amount,
        "model": bid.model_dump_json(),
    }


def _auction(document: Document | None) -> Auction | None:
    return None if document is None else Auction.model_validate_json(document["model"])


def _bid(document: Document | None) -> Bid | None:
    return None if document is None else Bid.model_validate_json(document["model"])


class MongoAuctionRepository(AuctionRepository):
    """The auctions of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._auctions = database[AUCTIONS]
        self._bids = database[AUCTION_BIDS]
        self._session = session

    async def get(self, auction_id: str) -> Auction | None:
        return _auction(await self._auctions.find_one({"_id": auction_id}, session=self._session))

    async def save(self, auction: Auction) -> None:
        conflict = ConcurrentUpdateError(detail={"auction_id": auction.auction_id})
        document = _auction_document(auction)
        try:
            if auction.version == 1:
                await insert_new(self._auctions, document, self._session)
                return
            moved = await self._auctions.replace_one(
                {"_id": auction.auction_id, "version": auction.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction created it first
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict

    async def bid_by_key(self, auction_id: str, request_key: str) -> Bid | None:
        found = await self._bids.find_one({"_id": f"{auction_id}/{request_key}"}, session=self._session)
        return _bid(found)

    async def add_bid(self, bid: Bid) -> None:
        try:
            await insert_new(self._bids, _bid_document(bid), self._session)
        except DuplicateKeyError as exc:  # that request's bid exists
            raise ConcurrentUpdateError(detail={"auction_id": bid.auction_id}) from exc


class MongoAuctionQueries(AuctionQueries):
    """Auctions from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._auctions = database[AUCTIONS]
        self._bids = database[AUCTION_BIDS]
        self._gate = gate

    async def get(self, auction_id: str) -> Auction | None:
        async with self._gate.operation():
            return _auction(await self._auctions.find_one({"_id": auction_id}))

    async def list(self, *, status: AuctionStatus | None = None, limit: int = 50) -> Sequence[Auction]:
        query = {} if status is None else {"status": status.value}
        async with self._gate.operation():
            cursor = self._auctions.find(query).sort([("ends_at", ASCENDING), ("_id", ASCENDING)])
            documents = await cursor.limit(limit).to_list()
        return [Auction.model_validate_json(document["model"]) for document in documents]

    async def bids(self, auction_id: str, *, limit: int = 50) -> Sequence[Bid]:
        async with self._gate.operation():
            cursor = self._bids.find({"auction_id": auction_id}).sort(_BY_AMOUNT[1:])
            documents = await cursor.limit(limit).to_list()
        return [Bid.model_validate_json(document["model"]) for document in documents]


SLICE = MongoSlice(
    name="auctions",
    repository=MongoAuctionRepository,
    queries={"auction_queries": MongoAuctionQueries},
    collections=(AUCTIONS, AUCTION_BIDS),
    indexes=INDEXES,
)
