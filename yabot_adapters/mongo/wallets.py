"""Wallets, ledger entries and holds inside one Mongo transaction."""

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.schema import HOLDS, LEDGER, WALLETS
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.wallet import Hold, LedgerEntry, Wallet, WalletRepository


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
        document = await self._wallets.find_one({"_id": user_id}, session=self._session)
        return wallet_from(user_id, document)

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
