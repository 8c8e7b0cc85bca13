"""The event bus's data in MongoDB: what each handler is owed (deliveries), dead letters and leases.

Layout. A commit writes, for each routed event, one ``deliveries`` document per handler it is owed, and
each carries the whole record::

    {_id: '["<handler>","<event id>"]', handler, event_id, event_type, payload, user_id, position, created_at}

A handler's backlog is then its own documents, read in order through one index (``deliveries_pending``) with
no join; acknowledging is one ``delete_many`` by ``_id`` (one write command for the whole batch, each delete
atomic, repeating it harmless); expiring is one ``delete_many`` on the same index. Nothing is shared between
handlers, so there is no "last acknowledgement deletes the record" step to make atomic or clean up after, and
relays of different handlers never write the same document. The price is one copy of the payload per
handler owed it; events are small and routes name few handlers. The ``_id`` is the JSON pair, unambiguous
whatever characters handler names and event ids hold.

Order. Positions are numbered per user stream (``outbox_streams``), not globally: a global counter would be
one document every transaction writes, a hot spot on a replica set. Two transactions recording events of one
user both write that user's counter, so they conflict and commit one after the other: if a user's record N is
visible, N-1 was committed before it. The stream also keeps the latest record time (integer milliseconds, so
``$max`` is safe on nx-27017), so one user's ``created_at`` never goes backwards even when processes' clocks
disagree, and ``pending``'s sort by ``(created_at, user_id, position)`` never returns a user's record without
the ones before it.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_document, from_millis, to_document, to_millis
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.units import RoutedEvent
from yabot_core.kernel import (
    ConcurrentUpdateError,
    DeadLetter,
    DeadLetterQueries,
    DeadLetterRepository,
    EventId,
    OutboxRecord,
    OutboxStore,
    UserId,
)

DELIVERIES: Final = "deliveries"
"""One document per (handler, event) still owed, carrying the record (see the module docstring)."""
OUTBOX_STREAMS: Final = "outbox_streams"
"""``{_id: user id or "_", last, at_ms}``: per user, the last outbox position and the latest record time."""
DEAD_LETTERS: Final = "dead_letters"
"""Events a handler gave up on, ``_id`` = dead letter id."""
LEASES: Final = "leases"
"""``{_id: name, owner, until}``: who holds a named lease, until when."""

_PENDING_ORDER: Final = [("created_at", ASCENDING), ("user_id", ASCENDING), ("position", ASCENDING)]

INDEXES: Final = {
    # Equality on the handler, then exactly the sort of ``pending``; ``expire`` ranges over its prefix.
    DELIVERIES: [IndexModel([("handler", ASCENDING), *_PENDING_ORDER], name="deliveries_pending")],
    DEAD_LETTERS: [
        IndexModel([("replayed_at", ASCENDING), ("failed_at", DESCENDING)], name="dead_letters_open"),
        IndexModel([("failed_at", DESCENDING)], name="dead_letters_failed_at"),
    ],
}

_NO_USER: Final = "_"
"""The stream of events that concern no user."""


def delivery_id(handler: str, event_id: str) -> str:
    """The ``_id`` of what ``handler`` is owed of one event."""
    return json.dumps([handler, event_id])


async def write_deliveries(
    database: AsyncDatabase[Document],
    session: AsyncClientSession,
    routed: Sequence[RoutedEvent],
    now: datetime,
) -> None:
    """Write one delivery per handler owed each event, inside the session's transaction, numbered per user."""
    streams: dict[UserId | str, list[RoutedEvent]] = {}
    for item in routed:
        user_id = item.event.user_id
        streams.setdefault(_NO_USER if user_id is None else user_id, []).append(item)
    documents: list[Document] = []
    for stream_id, stream in streams.items():
        first, created_at = await _advance(database, session, stream_id, len(stream), now)
        for offset, item in enumerate(stream):
            event = item.event
            record = {
                "event_id": event.event_id,
                "event_type": event.event_type,
                "payload": event.to_json(),
                "user_id": event.user_id,
                "position": first + offset,
                "created_at": created_at,
            }
            documents.extend(
                {"_id": delivery_id(handler, event.event_id), "handler": handler, **record}
                for handler in item.handlers
            )
    if documents:
        await database[DELIVERIES].insert_many(documents, session=session)


async def _advance(
    database: AsyncDatabase[Document],
    session: AsyncClientSession,
    stream_id: UserId | str,
    count: int,
    now: datetime,
) -> tuple[int, datetime]:
    """Reserve ``count`` positions in a user's stream; return the first, and the time to stamp them with."""
    try:
        counter = await database[OUTBOX_STREAMS].find_one_and_update(
            {"_id": stream_id},
            {"$inc": {"last": count}, "$max": {"at_ms": to_millis(now)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
    except DuplicateKeyError as exc:  # another transaction created this stream first
        raise ConcurrentUpdateError(detail={"stream": stream_id}) from exc
    if counter is None:
        # An upsert returning the new document cannot find nothing on MongoDB; nx-27017 answers an empty
        # value when the write failed. Either way this attempt must start over.
        raise ConcurrentUpdateError(detail={"stream": stream_id})
    return counter["last"] - count + 1, from_millis(counter["at_ms"])


def _record(document: Document) -> OutboxRecord:
    return OutboxRecord(
        event_id=document["event_id"],
        event_type=document["event_type"],
        payload=document["payload"],
        user_id=document["user_id"],
        position=document["position"],
        created_at=document["created_at"],
    )


class MongoOutboxStore(OutboxStore):
    """What each handler is owed, and the relays' leases; each call one operation on committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._deliveries = database[DELIVERIES]
        self._leases = database[LEASES]
        self._gate = gate

    async def pending(self, handler: str, limit: int) -> Sequence[OutboxRecord]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        async with self._gate.operation():
            # One batch, so the page is one consistent read rather than a first batch and a later getMore.
            cursor = self._deliveries.find({"handler": handler}).sort(_PENDING_ORDER).limit(limit)
            return [_record(document) async for document in cursor.batch_size(limit)]

    async def acknowledge(self, handler: str, event_ids: Sequence[EventId]) -> None:
        if not event_ids:
            return
        ids = [delivery_id(handler, event_id) for event_id in event_ids]
        async with self._gate.operation():
            await self._deliveries.delete_many({"_id": {"$in": ids}})

    async def expire(self, handler: str, before: datetime) -> int:
        async with self._gate.operation():
            gone = await self._deliveries.delete_many({"handler": handler, "created_at": {"$lt": before}})
        return gone.deleted_count

    async def backlog(self) -> Mapping[str, int]:
        async with self._gate.operation():
            cursor = await self._deliveries.aggregate([{"$group": {"_id": "$handler", "owed": {"$sum": 1}}}])
            counts = await cursor.to_list()
        return {count["_id"]: int(count["owed"]) for count in sorted(counts, key=lambda c: c["_id"])}

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        # One atomic write: take the lease if it is ours or expired, or insert it if it does not exist. When
        # someone else holds it, nothing matches and the upsert's insert collides on _id. For the nx-27017
        # test server: a replacement (not $set) keeps ``until`` a date; replace_one, unlike
        # find_one_and_update, reports the collision; and the explicit $and keeps the _id condition, which
        # it drops when written beside an $or.
        async with self._gate.operation():
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
        async with self._gate.operation():
            await self._leases.delete_one({"_id": name, "owner": owner})


def _dead_letter(document: Document | None) -> DeadLetter | None:
    return None if document is None else from_document(DeadLetter, document, "dead_letter_id")


class MongoDeadLetterRepository(DeadLetterRepository):
    """The dead-letter repository of one unit of work."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._dead_letters = database[DEAD_LETTERS]
        self._session = session

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return _dead_letter(await self._dead_letters.find_one({"_id": dead_letter_id}, session=self._session))

    async def save(self, dead_letter: DeadLetter) -> None:
        document = to_document(dead_letter, "dead_letter_id")
        await self._dead_letters.replace_one(
            {"_id": dead_letter.dead_letter_id}, document, upsert=True, session=self._session
        )


class MongoDeadLetterQueries(DeadLetterQueries):
    """Dead letters from committed data, for operators."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._dead_letters = database[DEAD_LETTERS]
        self._gate = gate

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        query: Document = {} if include_replayed else {"replayed_at": None}
        newest = [("failed_at", DESCENDING), ("_id", DESCENDING)]
        async with self._gate.operation():
            documents = await self._dead_letters.find(query).sort(newest).limit(limit).to_list()
        return [from_document(DeadLetter, document, "dead_letter_id") for document in documents]

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        async with self._gate.operation():
            return _dead_letter(await self._dead_letters.find_one({"_id": dead_letter_id}))


SLICE = MongoSlice(
    name="dead_letters",
    repository=MongoDeadLetterRepository,
    queries={"outbox": MongoOutboxStore, "dead_letter_queries": MongoDeadLetterQueries},
    collections=(DELIVERIES, OUTBOX_STREAMS, DEAD_LETTERS, LEASES),
    indexes=INDEXES,
)
