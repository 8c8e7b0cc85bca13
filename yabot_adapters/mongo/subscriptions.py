"""Subscriptions and their histories in MongoDB: the subscriptions module's slice.

A subscription moves only from the sequence it was read at (a conditional replacement), so two transactions
that read the same one never both write it; documents are written whole, never with update operators on
their dates (see :mod:`yabot_adapters.mongo.schema`).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.snapshot import read_snapshot
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.subscriptions import (
    StoredSubscription,
    Subscription,
    SubscriptionAudit,
    SubscriptionEntry,
    SubscriptionHistory,
    SubscriptionPage,
    SubscriptionQueries,
    SubscriptionRepository,
    SubscriptionStatement,
)

SUBSCRIPTIONS: Final = "subscriptions"
"""One document per fan, ``_id`` = user id, stored again as ``user_id`` (the soonest-end order breaks ties by
it, and nx-27017 cannot put ``_id`` in a secondary index)."""
SUBSCRIPTION_ENTRIES: Final = "subscription_entries"
"""The histories: one document per entry, ``_id`` = entry id, its idempotency key unique."""

_SOONEST: Final = [("vip_until", ASCENDING), ("user_id", ASCENDING)]

INDEXES: Final = {
    SUBSCRIPTIONS: [IndexModel([("ended_at", ASCENDING), *_SOONEST], name="subscriptions_open_by_end")],
    SUBSCRIPTION_ENTRIES: [
        # A key is applied once, across all users: the second insert fails.
        IndexModel([("idempotency_key", ASCENDING)], unique=True, name="subscription_entries_key"),
        # One entry per (user, sequence); also serves histories, newest first.
        IndexModel(
            [("user_id", ASCENDING), ("sequence", ASCENDING)], unique=True, name="subscription_entries_user"
        ),
    ],
}


def _state_document(subscription: Subscription) -> Document:
    return to_document(subscription, "user_id", keep_id_field=True)


def _state(document: Document | None) -> Subscription | None:
    return None if document is None else from_document(Subscription, document, "user_id")


def _entry(document: Document | None) -> SubscriptionEntry | None:
    return None if document is None else from_document(SubscriptionEntry, document, "entry_id")


class MongoSubscriptionRepository(SubscriptionRepository):
    """The subscriptions of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._subscriptions = database[SUBSCRIPTIONS]
        self._entries = database[SUBSCRIPTION_ENTRIES]
        self._session = session

    async def get(self, user_id: UserId) -> Subscription | None:
        return _state(await self._subscriptions.find_one({"_id": user_id}, session=self._session))

    async def entry_by_key(self, key: IdempotencyKey) -> SubscriptionEntry | None:
        return _entry(await self._entries.find_one({"idempotency_key": key}, session=self._session))

    async def append(self, entry: SubscriptionEntry, subscription: Subscription) -> None:
        conflict = ConcurrentUpdateError(detail={"user_id": entry.user_id, "sequence": entry.sequence})
        document = _state_document(subscription)
        try:
            if entry.sequence == 1:
                await insert_new(self._subscriptions, document, self._session)
            else:
                moved = await self._subscriptions.replace_one(
                    {"_id": entry.user_id, "sequence": entry.sequence - 1}, document, session=self._session
                )
                if moved.matched_count == 0:
                    raise conflict
            await self._entries.insert_one(to_document(entry, "entry_id"), session=self._session)
        except DuplicateKeyError as exc:  # the fan's first entry, or the key, taken meanwhile
            raise conflict from exc


class MongoSubscriptionQueries(SubscriptionQueries):
    """Subscriptions from committed data; pages and their counts from one snapshot."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._subscriptions = database[SUBSCRIPTIONS]
        self._entries = database[SUBSCRIPTION_ENTRIES]
        self._gate = gate

    async def get(self, user_id: UserId) -> Subscription | None:
        async with self._gate.operation():
            return _state(await self._subscriptions.find_one({"_id": user_id}))

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> SubscriptionStatement:
        async def read(session: AsyncClientSession) -> SubscriptionStatement:
            subscription = _state(await self._subscriptions.find_one({"_id": user_id}, session=session))
            entries: list[SubscriptionEntry] = []
            if subscription is not None and limit > 0 and offset < subscription.sequence:
                cursor = (
                    self._entries.find({"user_id": user_id}, session=session)
                    .sort("sequence", DESCENDING)
                    .skip(offset)
                    .limit(limit)
                )
                entries = [entry async for document in cursor if (entry := _entry(document))]
            history = SubscriptionHistory(
                entries=tuple(entries),
                total=0 if subscription is None else subscription.sequence,  # one entry per sequence
                limit=limit,
                offset=offset,
            )
            return SubscriptionStatement(user_id=user_id, subscription=subscription, history=history)

        return await read_snapshot(self._gate, self._database, read)

    async def open_ending(
        self, *, after: datetime | None, before: datetime | None, limit: int, offset: int
    ) -> SubscriptionPage:
        # ``$eq`` says what ``{"ended_at": None}`` says; nx-27017 counts none with the short form.
        query: Document = {"ended_at": {"$eq": None}}
        bounds: Document = {}
        if after is not None:
            bounds["$gt"] = after
        if before is not None:
            bounds["$lte"] = before
        if bounds:
            query["vip_until"] = bounds

        async def read(session: AsyncClientSession) -> SubscriptionPage:
            # The find goes first: nx-27017 refuses a transaction whose first command is an aggregate
            # (count_documents is one). A limit of 0 would mean "no limit".
            cursor = (
                self._subscriptions.find(query, session=session)
                .sort(_SOONEST)
                .skip(offset)
                .limit(max(limit, 1))
            )
            found = [state async for document in cursor if (state := _state(document))][: max(limit, 0)]
            total = await self._subscriptions.count_documents(query, session=session)
            return SubscriptionPage(subscriptions=tuple(found), total=total, limit=limit, offset=offset)

        return await read_snapshot(self._gate, self._database, read)


class MongoSubscriptionAudit(SubscriptionAudit):
    """Every subscription beside its history, read in one snapshot transaction."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._gate = gate

    async def stored_with_history(self) -> Sequence[StoredSubscription]:
        async def read(session: AsyncClientSession) -> Sequence[StoredSubscription]:
            # Only well-formed documents: nx-27017 was seen returning a stray {"level": ...} in a snapshot.
            states = {
                document["user_id"]: _state(document)
                async for document in self._database[SUBSCRIPTIONS].find(
                    {"sequence": {"$exists": True}}, session=session
                )
            }
            histories: dict[int, list[SubscriptionEntry]] = {}
            cursor = self._database[SUBSCRIPTION_ENTRIES].find(
                {"sequence": {"$exists": True}}, session=session
            )
            async for document in cursor.sort([("user_id", 1), ("sequence", 1)]):
                entry = _entry(document)
                if entry is not None:
                    histories.setdefault(entry.user_id, []).append(entry)
            return [
                StoredSubscription(
                    user_id=UserId(user), stored=states.get(user), history=tuple(histories.get(user, ()))
                )
                for user in sorted(states.keys() | histories.keys())
            ]

        return await read_snapshot(self._gate, self._database, read)


SLICE = MongoSlice(
    name="subscriptions",
    repository=MongoSubscriptionRepository,
    queries={"subscription_queries": MongoSubscriptionQueries, "subscription_audit": MongoSubscriptionAudit},
    collections=(SUBSCRIPTIONS, SUBSCRIPTION_ENTRIES),
    indexes=INDEXES,
)
