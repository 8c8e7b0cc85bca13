"""Broadcasts, recipients and notification preferences in MongoDB: the broadcasts module's slice.

A recipient's ``_id`` is ``<broadcast>/<fan>``: writing the audience down twice adds nobody twice, and its
state is what keeps a fan from getting a message twice.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.broadcasts import (
    Broadcast,
    BroadcastQueries,
    BroadcastRepository,
    NotificationPreferences,
    Recipient,
    RecipientState,
)
from yabot_core.kernel import ConcurrentUpdateError, UserId

BROADCASTS: Final = "broadcasts"
"""One document per broadcast: ``state`` and ``start_at`` for the runners, the broadcast as JSON."""
RECIPIENTS: Final = "broadcast_recipients"
"""One document per (broadcast, fan), ``_id`` = ``<broadcast>/<fan>``."""
PREFERENCES: Final = "notification_preferences"
"""One document per fan who chose, ``_id`` = the user id."""

_BY_STATE: Final = [("broadcast_id", ASCENDING), ("state", ASCENDING), ("user_id", ASCENDING)]
_DUE: Final = [("state", ASCENDING), ("start_at", ASCENDING), ("broadcast_id", ASCENDING)]
_LATEST: Final = [("start_at", DESCENDING), ("broadcast_id", DESCENDING)]
_ACTIVE: Final = ["programada", "enviando"]

INDEXES: Final = {
    BROADCASTS: [IndexModel(_DUE, name="broadcasts_due")],
    RECIPIENTS: [IndexModel(_BY_STATE, name="broadcast_recipients_by_state")],
}


def _document(broadcast: Broadcast) -> Document:
    return {
        "_id": broadcast.broadcast_id,
        "broadcast_id": broadcast.broadcast_id,
        "state": broadcast.state.value,
        "start_at": broadcast.start_at,
        "version": broadcast.version,
        "body": broadcast.model_dump_json(),
    }


def _broadcast(document: Document | None) -> Broadcast | None:
    return None if document is None else Broadcast.model_validate_json(document["body"])


def _recipient_id(broadcast_id: str, user_id: int) -> str:
    return f"{broadcast_id}/{user_id}"


def _recipient(document: Document | None) -> Recipient | None:
    if document is None:
        return None
    return Recipient(
        broadcast_id=document["broadcast_id"],
        user_id=UserId(document["user_id"]),
        state=RecipientState(document["state"]),
        attempts=document["attempts"],
    )


def _preferences(user_id: UserId, document: Document | None) -> NotificationPreferences:
    if document is None:
        return NotificationPreferences(user_id=user_id)
    return NotificationPreferences(
        user_id=user_id, opted_out=frozenset(document["opted_out"]), version=document["version"]
    )


class MongoBroadcastRepository(BroadcastRepository):
    """The broadcasts of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._broadcasts = database[BROADCASTS]
        self._recipients = database[RECIPIENTS]
        self._preferences = database[PREFERENCES]
        self._session = session

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return _broadcast(await self._broadcasts.find_one({"_id": broadcast_id}, session=self._session))

    async def save(self, broadcast: Broadcast) -> None:
        conflict = ConcurrentUpdateError(
            detail={"broadcast_id": broadcast.broadcast_id, "version": broadcast.version}
        )
        try:
            if broadcast.version == 1:
                await insert_new(self._broadcasts, _document(broadcast), self._session)
                return
            moved = await self._broadcasts.replace_one(
                {"_id": broadcast.broadcast_id, "version": broadcast.version - 1},
                _document(broadcast),
                session=self._session,
            )
        except DuplicateKeyError as exc:
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict

    async def add_recipients(self, broadcast_id: str, user_ids: Sequence[UserId]) -> int:
        if not user_ids:
            return 0
        ids = [_recipient_id(broadcast_id, user) for user in user_ids]
        known = await self._recipients.find(
            {"_id": {"$in": ids}}, {"_id": 1}, session=self._session
        ).to_list()
        there = {document["_id"] for document in known}
        new = [
            {
                "_id": _recipient_id(broadcast_id, user),
                "broadcast_id": broadcast_id,
                "user_id": user,
                "state": RecipientState.PENDING.value,
                "attempts": 0,
            }
            for user in dict.fromkeys(user_ids)
            if _recipient_id(broadcast_id, user) not in there
        ]
        if new:
            await self._recipients.insert_many(new, session=self._session)
        return len(new)

    async def recipient(self, broadcast_id: str, user_id: UserId) -> Recipient | None:
        found = await self._recipients.find_one(
            {"_id": _recipient_id(broadcast_id, user_id)}, session=self._session
        )
        return _recipient(found)

    async def save_recipient(self, recipient: Recipient) -> None:
        await self._recipients.update_one(
            {"_id": _recipient_id(recipient.broadcast_id, recipient.user_id)},
            {"$set": {"state": recipient.state.value, "attempts": recipient.attempts}},
            session=self._session,
        )

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        return _preferences(
            user_id, await self._preferences.find_one({"_id": user_id}, session=self._session)
        )

    async def save_preferences(self, preferences: NotificationPreferences) -> None:
        user = preferences.user_id
        conflict = ConcurrentUpdateError(detail={"user_id": user, "version": preferences.version})
        document = {"_id": user, "opted_out": sorted(preferences.opted_out), "version": preferences.version}
        try:
            if preferences.version == 1:
                await insert_new(self._preferences, document, self._session)
                return
            moved = await self._preferences.replace_one(
                {"_id": user, "version": preferences.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict


class MongoBroadcastQueries(BroadcastQueries):
    """Committed broadcasts."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._broadcasts = database[BROADCASTS]
        self._recipients = database[RECIPIENTS]
        self._preferences = database[PREFERENCES]
        self._gate = gate

    async def get(self, broadcast_id: str) -> Broadcast | None:
        async with self._gate.operation():
            return _broadcast(await self._broadcasts.find_one({"_id": broadcast_id}))

    async def listing(self, *, limit: int) -> Sequence[Broadcast]:
        if limit <= 0:
            return []
        async with self._gate.operation():
            documents = await self._broadcasts.find({}).sort(_LATEST).limit(limit).to_list()
        return [item for document in documents if (item := _broadcast(document))]

    async def runnable(self, now: datetime, *, limit: int) -> Sequence[Broadcast]:
        if limit <= 0:
            return []
        query = {"state": {"$in": _ACTIVE}, "start_at": {"$lte": now}}
        async with self._gate.operation():
            documents = await self._broadcasts.find(query).to_list()
        found = [item for document in documents if (item := _broadcast(document))]
        return sorted(found, key=lambda item: (item.start_at, item.broadcast_id))[:limit]

    async def recipients(
        self, broadcast_id: str, state: RecipientState, *, after: UserId | None, limit: int
    ) -> Sequence[Recipient]:
        if limit <= 0:
            return []
        query = {"broadcast_id": broadcast_id, "state": state.value, "user_id": {"$gt": after or 0}}
        async with self._gate.operation():
            documents = await self._recipients.find(query).sort("user_id", ASCENDING).limit(limit).to_list()
        return [recipient for document in documents if (recipient := _recipient(document))]

    async def counts(self, broadcast_id: str) -> Mapping[RecipientState, int]:
        pipeline: list[Document] = [
            {"$match": {"broadcast_id": broadcast_id}},
            {"$group": {"_id": "$state", "n": {"$sum": 1}}},
        ]
        async with self._gate.operation():
            cursor = await self._recipients.aggregate(pipeline)
            groups = await cursor.to_list()
        return {RecipientState(group["_id"]): int(group["n"]) for group in groups}

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        async with self._gate.operation():
            return _preferences(user_id, await self._preferences.find_one({"_id": user_id}))


SLICE = MongoSlice(
    name="broadcasts",
    repository=MongoBroadcastRepository,
    queries={"broadcast_queries": MongoBroadcastQueries},
    collections=(BROADCASTS, RECIPIENTS, PREFERENCES),
    indexes=INDEXES,
)
