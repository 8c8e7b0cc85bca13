"""Wallets, ledger entries and holds in MongoDB: the wallet module's slice.

A hold moves besitos from the balance to ``held`` in one commit, so the queries read the wallet, its holds and
its ledger page from one snapshot, in a read-only transaction: no reader sees besitos half-moved, or a page
that disagrees with its balance.
"""

from collections.abc import Sequence
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.snapshot import read_snapshot
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.wallet import (
    Hold,
    HoldStatus,
    LedgerEntry,
    LedgerMismatch,
    LedgerPage,
    Wallet,
    WalletAudit,
    WalletBalance,
    WalletQueries,
    WalletRepository,
    WalletStatement,
)

WALLETS: Final = "wallets"
"""``{_id: user id, balance, sequence}``: a user's balance and the sequence of their last ledger entry."""
LEDGER: Final = "ledger"
"""One document per ledger entry, ``_id`` = entry id."""
HOLDS: Final = "holds"
"""Escrow holds, ``_id`` = hold id."""

INDEXES: Final = {
    LEDGER: [
        # An idempotency key is applied once, across all users: the second insert fails.
        IndexModel([("idempotency_key", ASCENDING)], unique=True, name="ledger_idempotency_key"),
        # One entry per (user, sequence); also serves statements, newest first.
        IndexModel(
            [("user_id", ASCENDING), ("sequence", ASCENDING)], unique=True, name="ledger_user_sequence"
        ),
    ],
    HOLDS: [IndexModel([("user_id", ASCENDING), ("status", ASCENDING)], name="holds_user_status")],
}


def wallet_from(user_id: UserId, document: Document | None) -> Wallet:
    """Return the wallet stored in ``document``; no document is an empty wallet."""
    if document is None:
        return Wallet(user_id=user_id)
    return Wallet(user_id=user_id, balance=document["balance"], sequence=document["sequence"])


class MongoWalletRepository(WalletRepository):
    """The wallet repository of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._wallets = database[WALLETS]
        self._ledger = database[LEDGER]
        self._holds = database[HOLDS]
        self._session = session

    async def get(self, user_id: UserId) -> Wallet:
        return wallet_from(user_id, await self._wallets.find_one({"_id": user_id}, session=self._session))

    async def entry_by_key(self, key: IdempotencyKey) -> LedgerEntry | None:
        document = await self._ledger.find_one({"idempotency_key": key}, session=self._session)
        return None if document is None else from_document(LedgerEntry, document, "entry_id")

    async def append(self, entry: LedgerEntry) -> None:
        # The wallet moves only from the sequence the entry was computed from. A first entry creates the
        # wallet: if another transaction created it meanwhile, the upsert collides on _id instead.
        try:
            moved = await self._wallets.update_one(
                {"_id": entry.user_id, "sequence": entry.sequence - 1},
                {"$set": {"balance": entry.balance_after, "sequence": entry.sequence}},
                upsert=entry.sequence == 1,
                session=self._session,
            )
            if moved.matched_count == 0 and moved.upserted_id is None:
                raise ConcurrentUpdateError(detail={"user_id": entry.user_id, "sequence": entry.sequence})
            await self._ledger.insert_one(to_document(entry, "entry_id"), session=self._session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdateError(
                detail={"user_id": entry.user_id, "idempotency_key": entry.idempotency_key}
            ) from exc

    async def get_hold(self, hold_id: str) -> Hold | None:
        document = await self._holds.find_one({"_id": hold_id}, session=self._session)
        return None if document is None else from_document(Hold, document, "hold_id")

    async def save_hold(self, hold: Hold) -> None:
        document = to_document(hold, "hold_id")
        await self._holds.replace_one({"_id": hold.hold_id}, document, upsert=True, session=self._session)

    async def correct_balance(self, user_id: UserId, *, balance: int, sequence: int) -> bool:
        try:
            moved = await self._wallets.update_one(
                {"_id": user_id, "sequence": sequence},
                {"$set": {"balance": balance}},
                upsert=sequence == 0,  # entries whose wallet document is missing: make it
                session=self._session,
            )
        except DuplicateKeyError:
            return False  # the wallet appeared meanwhile, at another sequence
        return moved.matched_count > 0 or moved.upserted_id is not None


class MongoWalletQueries(WalletQueries):
    """Balances and ledger pages from committed data, each call one snapshot."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._gate = gate

    async def balance(self, user_id: UserId) -> WalletBalance:
        async def read(session: AsyncClientSession) -> WalletBalance:
            return (await self._read(session, user_id))[0]

        return await read_snapshot(self._gate, self._database, read)

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> WalletStatement:
        async def read(session: AsyncClientSession) -> WalletStatement:
            balance, sequence = await self._read(session, user_id)
            entries: list[LedgerEntry] = []
            if limit > 0 and offset < sequence:
                # In one snapshot the wallet's sequence counts the user's entries: it is the total.
                cursor = (
                    self._database[LEDGER]
                    .find({"user_id": user_id}, session=session)
                    .sort("sequence", DESCENDING)
                    .skip(offset)
                    .limit(limit)
                )
                entries = [from_document(LedgerEntry, document, "entry_id") async for document in cursor]
            page = LedgerPage(entries=tuple(entries), total=sequence, limit=limit, offset=offset)
            return WalletStatement(balance=balance, history=page)

        return await read_snapshot(self._gate, self._database, read)

    async def circulation(self) -> int:
        # Two sums outside a snapshot: a figure for the admin's statistics, not an invariant's check.
        total = 0
        async with self._gate.operation():
            for collection, field, match in (
                (WALLETS, "$balance", {}),
                (HOLDS, "$amount", {"status": HoldStatus.HELD.value}),
            ):
                cursor = await self._database[collection].aggregate(
                    [{"$match": match}, {"$group": {"_id": None, "sum": {"$sum": field}}}]
                )
                total += sum([int(document["sum"]) async for document in cursor])
        return total

    async def _read(self, session: AsyncClientSession, user_id: UserId) -> tuple[WalletBalance, int]:
        """The user's balance and held total, and their wallet's sequence."""
        wallet = wallet_from(
            user_id, await self._database[WALLETS].find_one({"_id": user_id}, session=session)
        )
        cursor = await self._database[HOLDS].aggregate(
            [
                {"$match": {"user_id": user_id, "status": HoldStatus.HELD.value}},
                {"$group": {"_id": None, "held": {"$sum": "$amount"}}},
            ],
            session=session,
        )
        totals = await cursor.to_list()
        held = int(totals[0]["held"]) if totals else 0
        return WalletBalance(user_id=user_id, balance=wallet.balance, held=held), wallet.sequence


class MongoWalletAudit(WalletAudit):
    """Balances against ledgers, read in one snapshot transaction."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._gate = gate

    async def ledger_mismatches(self) -> Sequence[LedgerMismatch]:
        async def read(session: AsyncClientSession) -> Sequence[LedgerMismatch]:
            wallets = {
                document["_id"]: wallet_from(document["_id"], document)
                async for document in self._database[WALLETS].find(
                    {"balance": {"$exists": True}}, session=session
                )
            }
            cursor = await self._database[LEDGER].aggregate(
                [
                    {"$match": {"user_id": {"$exists": True}}},
                    {"$group": {"_id": "$user_id", "total": {"$sum": "$amount"}}},
                ],
                session=session,
            )
            totals = {document["_id"]: int(document["total"]) async for document in cursor}
            found = []
            for user_id in sorted(wallets.keys() | totals.keys()):
                wallet = wallets.get(user_id) or Wallet(user_id=UserId(user_id))
                total = totals.get(user_id, 0)
                if wallet.balance != total or wallet.balance < 0:
                    found.append(
                        LedgerMismatch(
                            user_id=UserId(user_id),
                            balance=wallet.balance,
                            ledger_sum=total,
                            sequence=wallet.sequence,
                        )
                    )
            return found

        return await read_snapshot(self._gate, self._database, read)


SLICE = MongoSlice(
    name="wallets",
    repository=MongoWalletRepository,
    queries={"wallet_queries": MongoWalletQueries, "wallet_audit": MongoWalletAudit},
    collections=(WALLETS, LEDGER, HOLDS),
    indexes=INDEXES,
)
