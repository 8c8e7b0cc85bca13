"""Read models of the Mongo backend: committed balances, ledgers, users and dead letters."""

from collections.abc import Sequence

from pymongo import DESCENDING, ReadPreference
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern

from yabot_adapters.mongo.documents import Document, from_document
from yabot_adapters.mongo.errors import driver_errors
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import DEAD_LETTERS, HOLDS, LEDGER, USERS, WALLETS
from yabot_adapters.mongo.wallets import wallet_from
from yabot_core.kernel import DeadLetter, DeadLetterQueries, UserId
from yabot_core.users import User, UserQueries
from yabot_core.wallet import HoldStatus, LedgerEntry, LedgerPage, WalletBalance, WalletQueries


class MongoWalletQueries(WalletQueries):
    """Balances and ledger pages from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._gate = gate

    async def balance(self, user_id: UserId) -> WalletBalance:
        async def read(session: AsyncClientSession) -> WalletBalance:
            wallet = await self._database[WALLETS].find_one({"_id": user_id}, session=session)
            cursor = await self._database[HOLDS].aggregate(
                [
                    {"$match": {"user_id": user_id, "status": HoldStatus.HELD.value}},
                    {"$group": {"_id": None, "held": {"$sum": "$amount"}}},
                ],
                session=session,
            )
            totals = await cursor.to_list()
            held = int(totals[0]["held"]) if totals else 0
            return WalletBalance(user_id=user_id, balance=wallet_from(user_id, wallet).balance, held=held)

        # A hold moves besitos from the balance to ``held`` in one commit: read both from one snapshot, in a
        # read-only transaction, so no reader sees them half-moved.
        async with self._gate.admit():
            with driver_errors():
                async with self._database.client.start_session() as session:
                    return await session.with_transaction(
                        read,
                        read_concern=ReadConcern("snapshot"),
                        read_preference=ReadPreference.PRIMARY,
                    )

    async def history(self, user_id: UserId, *, limit: int, offset: int) -> LedgerPage:
        async with self._gate.admit():
            with driver_errors():
                wallet = wallet_from(user_id, await self._database[WALLETS].find_one({"_id": user_id}))
                entries: list[LedgerEntry] = []
                if limit > 0 and offset < wallet.sequence:
                    # The wallet's sequence counts the user's entries, and entries up to it were committed
                    # with it: reading only those makes the page and its total agree without counting.
                    cursor = (
                        self._database[LEDGER]
                        .find({"user_id": user_id, "sequence": {"$lte": wallet.sequence}})
                        .sort("sequence", DESCENDING)
                        .skip(offset)
                        .limit(limit)
                    )
                    entries = [from_document(LedgerEntry, document, "entry_id") async for document in cursor]
        return LedgerPage(entries=tuple(entries), total=wallet.sequence, limit=limit, offset=offset)


class MongoUserQueries(UserQueries):
    """Users from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._users = database[USERS]
        self._gate = gate

    async def get(self, user_id: UserId) -> User | None:
        async with self._gate.admit():
            with driver_errors():
                document = await self._users.find_one({"_id": user_id})
        return None if document is None else from_document(User, document, "user_id")


class MongoDeadLetterQueries(DeadLetterQueries):
    """Dead letters from committed data, for operators."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._dead_letters = database[DEAD_LETTERS]
        self._gate = gate

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        query: Document = {} if include_replayed else {"replayed_at": None}
        async with self._gate.admit():
            with driver_errors():
                cursor = (
                    self._dead_letters.find(query)
                    .sort([("failed_at", DESCENDING), ("_id", DESCENDING)])
                    .limit(limit)
                )
                documents = await cursor.to_list()
        return [from_document(DeadLetter, document, "dead_letter_id") for document in documents]

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        async with self._gate.admit():
            with driver_errors():
                document = await self._dead_letters.find_one({"_id": dead_letter_id})
        return None if document is None else from_document(DeadLetter, document, "dead_letter_id")
