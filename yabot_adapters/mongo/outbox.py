"""The Mongo outbox: records written in the committing transaction, read and acknowledged by the relay.

Positions are numbered per user stream (``outbox_streams``), not globally: a global counter would be one
document every transaction writes, a hot spot on a replica set. Two transactions recording events of one
user both write that user's counter, so they conflict and commit one after the other: if a user's record N
is visible, N-1 was committed before it. The stream also keeps the latest record time, so one user's
``created_at`` never goes backwards even when processes' clocks disagree, and ``pending``'s sort by
``(created_at, user_id, position)`` never returns a user's record without the ones before it.
"""

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_millis, to_millis
from yabot_adapters.mongo.errors import driver_errors
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import LEASES, OUTBOX, OUTBOX_STREAMS
from yabot_core.kernel import ConcurrentUpdateError, Event, EventId, OutboxRecord, OutboxStore, UserId

_NO_USER = "_"
"""The stream of events that concern no user."""


async def write_records(
    database: AsyncDatabase[Document], session: AsyncClientSession, events: Sequence[Event], now: datetime
) -> None:
    """Append ``events`` to the outbox inside the session's transaction, numbered per user stream."""
    streams: dict[UserId | str, list[Event]] = {}
    for event in events:
        streams.setdefault(_NO_USER if event.user_id is None else event.user_id, []).append(event)
    documents: list[Document] = []
    for stream_id, stream in streams.items():
        try:
            counter = await database[OUTBOX_STREAMS].find_one_and_update(
                {"_id": stream_id},
                {"$inc": {"last": len(stream)}, "$max": {"at_ms": to_millis(now)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
        except DuplicateKeyError as exc:  # another transaction created this stream first
            raise ConcurrentUpdateError(detail={"stream": stream_id}) from exc
        if counter is None:
            # An upsert returning the new document cannot find nothing on MongoDB; nx-27017 answers an
            # empty value when the write failed. Either way this attempt must start over.
            raise ConcurrentUpdateError(detail={"stream": stream_id})
        first = counter["last"] - len(stream) + 1
        created_at = from_millis(counter["at_ms"])
        documents.extend(
            {
                "_id": event.event_id,
                "event_type": event.event_type,
                "payload": event.to_json(),
                "user_id": event.user_id,
                "position": first + offset,
                "created_at": created_at,
                "handled_by": [],  # present from the start: nx-27017's $addToSet ignores a missing array
            }
            for offset, event in enumerate(stream)
        )
    await database[OUTBOX].insert_many(documents, session=session)


def _record(document: Document) -> OutboxRecord:
    return OutboxRecord(
        event_id=document["_id"],
        event_type=document["event_type"],
        payload=document["payload"],
        user_id=document["user_id"],
        position=document["position"],
        created_at=document["created_at"],
        handled_by=frozenset(document["handled_by"]),
    )


class MongoOutboxStore(OutboxStore):
    """The committed outbox and the relay's leases, each call one atomic operation on its own."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._outbox = database[OUTBOX]
        self._leases = database[LEASES]
        self._gate = gate

    async def pending(self, limit: int) -> Sequence[OutboxRecord]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        order = [("created_at", ASCENDING), ("user_id", ASCENDING), ("position", ASCENDING)]
        async with self._gate.admit():
            with driver_errors():
                # One batch, so the page is one consistent read rather than a first batch and a later getMore.
                cursor = self._outbox.find({}).sort(order).limit(limit).batch_size(limit)
                return [_record(document) async for document in cursor]

    async def mark_handled(self, event_id: EventId, handler: str) -> None:
        async with self._gate.admit():
            with driver_errors():
                await self._outbox.update_one({"_id": event_id}, {"$addToSet": {"handled_by": handler}})

    async def mark_delivered(self, event_id: EventId) -> None:
        async with self._gate.admit():
            with driver_errors():
                await self._outbox.delete_one({"_id": event_id})

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        # One atomic write: take the lease if it is ours or expired, or insert it if it does not exist. When
        # someone else holds it, nothing matches and the upsert's insert collides on _id. For the nx-27017
        # test server: a replacement (not $set) keeps ``until`` a date; replace_one, unlike
        # find_one_and_update, reports the collision; and the explicit $and keeps the _id condition, which
        # it drops when written beside an $or.
        async with self._gate.admit():
            with driver_errors():
                try:
                    await self._leases.replace_one(
                        {"$and": [{"_id": name}, {"$or": [{"owner": owner}, {"until": {"$lte": now}}]}]},
                        {"_id": name, "owner": owner, "until": until},
                        upsert=True,
                    )
                except DuplicateKeyError:
                    return False
                return True

    async def release_lease(self, name: str, owner: str) -> None:
        async with self._gate.admit():
            with driver_errors():
                await self._leases.delete_one({"_id": name, "owner": owner})
