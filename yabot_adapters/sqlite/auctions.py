"""Auctions and bids in SQLite: the auctions module's slice.

An auction is one row, moved only from the version it was read at; a bid's primary key is (auction,
request key), so one tap never bids twice. Each row keeps the model as JSON beside the columns queries use.
"""

import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.auctions import Auction, AuctionQueries, AuctionRepository, AuctionStatus, Bid
from yabot_core.kernel import ConcurrentUpdateError

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE auctions (
        auction_id TEXT PRIMARY KEY,
        status     TEXT NOT NULL,
        ends_at    TEXT NOT NULL,
        version    INTEGER NOT NULL CHECK (version >= 1),
        document   TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX auctions_status_end ON auctions (status, ends_at);
    CREATE TABLE auction_bids (
        auction_id  TEXT NOT NULL,
        request_key TEXT NOT NULL,
        amount      INTEGER NOT NULL CHECK (amount >= 1),
        document    TEXT NOT NULL,
        PRIMARY KEY (auction_id, request_key)
    ) WITHOUT ROWID;
    CREATE INDEX auction_bids_amount ON auction_bids (auction_id, amount DESC);
    """,
        down="""
    DROP TABLE auction_bids;
    DROP TABLE auctions;
    """,
    ),
)

_GET: Final = "SELECT document FROM auctions WHERE auction_id = ?"
_INSERT: Final = (
    "INSERT INTO auctions (auction_id, status, ends_at, version, document) VALUES (?, ?, ?, ?, ?)"
)
_MOVE: Final = (
    "UPDATE auctions SET status = ?, ends_at = ?, version = ?, document = ?"
    " WHERE auction_id = ? AND version = ?"
)
_LIST: Final = "SELECT document FROM auctions ORDER BY ends_at, auction_id LIMIT ?"
_LIST_STATUS: Final = "SELECT document FROM auctions WHERE status = ? ORDER BY ends_at, auction_id LIMIT ?"
_BID: Final = "SELECT document FROM auction_bids WHERE auction_id = ? AND request_key = ?"
_ADD_BID: Final = "INSERT INTO auction_bids (auction_id, request_key, amount, document) VALUES (?, ?, ?, ?)"
_BIDS: Final = "SELECT document FROM auction_bids WHERE auction_id = ? ORDER BY amount DESC LIMIT ?"


class SqliteAuctionRepository(AuctionRepository):
    """Auctions inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, auction_id: str) -> Auction | None:
        with self._session.use() as conn:
            row = conn.execute(_GET, (auction_id,)).fetchone()
        return None if row is None else Auction.model_validate_json(row["document"])

    async def save(self, auction: Auction) -> None:
        conflict = ConcurrentUpdateError(detail={"auction_id": auction.auction_id})
        document = auction.model_dump_json()
        ends_at = encode_time(auction.ends_at)
        with self._session.use() as conn:
            if auction.version == 1:
                values = (auction.auction_id, auction.status.value, ends_at, 1, document)
                try:
                    conn.execute(_INSERT, values)
                except sqlite3.IntegrityError as exc:  # another work created it first
                    raise conflict from exc
                return
            moved = (
                auction.status.value,
                ends_at,
                auction.version,
                document,
                auction.auction_id,
                auction.version - 1,
            )
            if conn.execute(_MOVE, moved).rowcount == 0:
                raise conflict

    async def bid_by_key(self, auction_id: str, request_key: str) -> Bid | None:
        with self._session.use() as conn:
            row = conn.execute(_BID, (auction_id, request_key)).fetchone()
        return None if row is None else Bid.model_validate_json(row["document"])

    async def add_bid(self, bid: Bid) -> None:
        values = (bid.auction_id, bid.request_key, bid.amount, bid.model_dump_json())
        with self._session.use() as conn:
            try:
                conn.execute(_ADD_BID, values)
            except sqlite3.IntegrityError as exc:  # that request's bid exists
                raise ConcurrentUpdateError(detail={"auction_id": bid.auction_id}) from exc


class SqliteAuctionQueries(AuctionQueries):
    """Auctions from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get(self, auction_id: str) -> Auction | None:
        def query(conn: sqlite3.Connection) -> Auction | None:
            row = conn.execute(_GET, (auction_id,)).fetchone()
            return None if row is None else Auction.model_validate_json(row["document"])

        return await self._reader.read(query)

    async def list(self, *, status: AuctionStatus | None = None, limit: int = 50) -> Sequence[Auction]:
        def query(conn: sqlite3.Connection) -> list[Auction]:
            rows = (
                conn.execute(_LIST, (limit,))
                if status is None
                else conn.execute(_LIST_STATUS, (status.value, limit))
            ).fetchall()
            return [Auction.model_validate_json(row["document"]) for row in rows]

        return await self._reader.read(query)

    async def bids(self, auction_id: str, *, limit: int = 50) -> Sequence[Bid]:
        def query(conn: sqlite3.Connection) -> list[Bid]:
            rows = conn.execute(_BIDS, (auction_id, limit)).fetchall()
            return [Bid.model_validate_json(row["document"]) for row in rows]

        return await self._reader.read(query)


SLICE = SqliteSlice(
    name="auctions",
    migrations=MIGRATIONS,
    repository=SqliteAuctionRepository,
    queries={"auction_queries": lambda reader, _writer: SqliteAuctionQueries(reader)},
)
