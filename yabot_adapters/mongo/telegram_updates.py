"""The webhook's inbox in MongoDB: the kernel's ``telegram_updates`` slice.

One document per update, ``_id`` = its id. The payload is kept as JSON text (a Bot API field name is no
concern of Mongo's rules on keys), times as epoch milliseconds, "no claim" as ``""`` and ``claimed_until``
0: plain values every server (nx-27017 too) compares the same way. Receiving is an insert, so a repeated id
collides on ``_id`` and two receivers never both store it. Claiming reads the oldest update not done of each
key, then replaces each only if its ``revision`` is still the one read: whoever wrote in between wins, and
two claimers never hold one update. Writes replace whole documents, as the timers slice does.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document, from_millis, to_millis
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import InboxUpdate, UpdateInbox

UPDATES: Final = "telegram_updates"

INDEXES: Final = {
    UPDATES: [
        IndexModel([("done", ASCENDING), ("update_id", ASCENDING)], name="telegram_updates_pending"),
        IndexModel([("done", ASCENDING), ("done_at", ASCENDING)], name="telegram_updates_done"),
    ]
}

_SCAN: Final = 1000
"""The most pending updates one claim reads to find each key's oldest (a backlog larger waits a round)."""


def _document(update: InboxUpdate) -> Document:
    return {
        "_id": update.update_id,
        "update_id": update.update_id,
        "order_key": update.order_key,
        "payload": json.dumps(update.payload, separators=(",", ":")),
        "received_at": to_millis(update.received_at),
        "claim": update.claim or "",
        "claimed_until": 0 if update.claimed_until is None else to_millis(update.claimed_until),
        "done": update.done_at is not None,
        "done_at": 0 if update.done_at is None else to_millis(update.done_at),
        "revision": uuid.uuid4().hex,
    }


def _update(document: Document) -> InboxUpdate:
    return InboxUpdate(
        update_id=document["update_id"],
        order_key=document["order_key"],
        payload=json.loads(document["payload"]),
        received_at=from_millis(document["received_at"]),
        claim=document["claim"] or None,
        claimed_until=from_millis(document["claimed_until"]) if document["claimed_until"] else None,
        done_at=from_millis(document["done_at"]) if document["done"] else None,
    )


class NoRepository:
    """The inbox writes outside units of work (before any handling starts): nothing in the transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        del database, session


class MongoUpdateInbox(UpdateInbox):
    """Received updates in the ``telegram_updates`` collection, each call one gated operation."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._updates = database[UPDATES]
        self._gate = gate

    async def receive(self, update: InboxUpdate) -> bool:
        async with self._gate.operation():
            try:
                await self._updates.insert_one(_document(update))
            except DuplicateKeyError:
                return False
            return True

    async def claim(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[InboxUpdate]:
        if limit <= 0:
            return []
        until = from_millis(to_millis(until))  # what is stored of it, so complete() compares like with like
        async with self._gate.operation():
            pending = (
                await self._updates.find({"done": False}).sort("update_id", ASCENDING).limit(_SCAN).to_list()
            )
            heads: dict[int, Document] = {}
            for document in pending:
                heads.setdefault(document["order_key"], document)
            now_ms = to_millis(now)
            free = [d for d in heads.values() if d["claimed_until"] <= now_ms][:limit]
            claimed: list[InboxUpdate] = []
            for document in free:
                update = _update(document).model_copy(update={"claim": claim, "claimed_until": until})
                unchanged = {"_id": document["_id"], "revision": document["revision"]}
                if (await self._updates.replace_one(unchanged, _document(update))).matched_count == 1:
                    claimed.append(update)
        return claimed

    async def complete(self, update: InboxUpdate, now: datetime) -> bool:
        if update.claim is None:
            return False
        done = update.model_copy(update={"claim": None, "claimed_until": None, "done_at": now})
        async with self._gate.operation():
            ours = {"_id": update.update_id, "claim": update.claim, "done": False}
            return (await self._updates.replace_one(ours, _document(done))).matched_count == 1

    async def prune(self, done_before: datetime) -> int:
        async with self._gate.operation():
            gone = await self._updates.delete_many({"done": True, "done_at": {"$lt": to_millis(done_before)}})
        return gone.deleted_count

    async def unfinished(self) -> int:
        async with self._gate.operation():
            return await self._updates.count_documents({"done": False})


SLICE = MongoSlice(
    name="telegram_updates",
    repository=NoRepository,
    queries={"telegram_updates": MongoUpdateInbox},
    collections=(UPDATES,),
    indexes=INDEXES,
)
