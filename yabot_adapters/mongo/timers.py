"""Durable timers in MongoDB: the kernel's timers slice.

A timer is one document, ``_id`` = its key, stored whole: the :class:`Timer` fields, plus ``claimable_at``
(``max(due_at, claimed_until)``, when a ticker may next claim it), ``revision`` (a random string, new at
every write) and ``key`` again. Every write replaces the document, so its dates stay dates on nx-27017; the
revision is a string because nx-27017 matches no ObjectId outside ``_id``, and the key is repeated because
it cannot put ``_id`` in a secondary index, where the due order needs it to break ties.

Claiming is atomic across processes without a transaction: ``claim_due`` reads claimable candidates, then
replaces each only if its ``revision`` is still the one it read. Whoever wrote in between (another claimer,
a reschedule, a cancel) changed or removed the revision, so the replacement matches nothing and the timer is
not taken: two claimers never hold one timer, and a stale read never resurrects an old schedule.
``complete`` deletes the timer in the unit of work only if it still carries the caller's claim; a claim
written after the transaction's snapshot is a write conflict there, and the retried work sees it.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document, from_document, from_millis, to_document, to_millis
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import Timer, TimerRepository, TimerStore

TIMERS: Final = "timers"
"""Timers not yet fired, ``_id`` = key (see the module docstring for the extra fields)."""

_DUE_ORDER: Final = [("due_at", ASCENDING), ("key", ASCENDING)]

INDEXES: Final = {
    TIMERS: [
        IndexModel(_DUE_ORDER, name="timers_due"),  # claim_due's scan and pending's order
        IndexModel([("kind", ASCENDING), *_DUE_ORDER], name="timers_kind_due"),
        IndexModel([("claimable_at", ASCENDING)], name="timers_claimable"),  # next_due
    ]
}

_STORAGE_FIELDS: Final = ("claimable_at", "revision")


def _document(timer: Timer) -> Document:
    """The timer as stored, with a fresh revision."""
    document = to_document(timer, "key", keep_id_field=True)
    document["claimable_at"] = max(timer.due_at, timer.claimed_until or timer.due_at)
    document["revision"] = uuid.uuid4().hex
    return document


def _timer(document: Document) -> Timer:
    fields = {name: value for name, value in document.items() if name not in _STORAGE_FIELDS}
    return from_document(Timer, fields, "key")


class MongoTimerRepository(TimerRepository):
    """The timers of one unit of work, every operation in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._timers = database[TIMERS]
        self._session = session
        self.wakes = False

    async def schedule(self, timer: Timer) -> None:
        self.wakes = True  # the ticker of this process looks again at once (see SlicedUnitOfWork)
        fresh = _document(timer.model_copy(update={"claim": None, "claimed_until": None}))
        await self._timers.replace_one({"_id": timer.key}, fresh, upsert=True, session=self._session)

    async def cancel(self, key: str) -> bool:
        gone = await self._timers.delete_one({"_id": key}, session=self._session)
        return gone.deleted_count == 1

    async def get(self, key: str) -> Timer | None:
        document = await self._timers.find_one({"_id": key}, session=self._session)
        return None if document is None else _timer(document)

    async def complete(self, timer: Timer) -> bool:
        if timer.claim is None:
            return False
        still_ours = {"_id": timer.key, "claim": timer.claim, "claimed_until": timer.claimed_until}
        gone = await self._timers.delete_one(still_ours, session=self._session)
        return gone.deleted_count == 1


class MongoTimerStore(TimerStore):
    """Claims and listings over committed timers, for the ticker and operators."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._timers = database[TIMERS]
        self._gate = gate

    async def claim_due(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[Timer]:
        until = from_millis(to_millis(until))  # what BSON keeps of it, so complete() matches it exactly
        claimed: list[Timer] = []
        seen: list[str] = []  # keys tried, taken or lost: each round looks only at others, so rounds end
        async with self._gate.operation():
            while len(claimed) < limit:
                wanted = limit - len(claimed)
                due = {"due_at": {"$lte": now}, "claimable_at": {"$lte": now}, "_id": {"$nin": seen}}
                candidates = await self._timers.find(due).sort(_DUE_ORDER).limit(wanted).to_list()
                for candidate in candidates:
                    timer = _timer(candidate).model_copy(update={"claim": claim, "claimed_until": until})
                    unchanged = {"_id": timer.key, "revision": candidate["revision"]}
                    if (await self._timers.replace_one(unchanged, _document(timer))).matched_count == 1:
                        claimed.append(timer)
                    seen.append(timer.key)
                if len(candidates) < wanted:
                    break  # nothing more is due; otherwise others took some of these: look further
        return sorted(claimed, key=lambda timer: (timer.due_at, timer.key))

    async def pending(self, *, limit: int, kind: str | None = None) -> Sequence[Timer]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        query: Document = {} if kind is None else {"kind": kind}
        async with self._gate.operation():
            documents = await self._timers.find(query).sort(_DUE_ORDER).limit(limit).to_list()
        return [_timer(document) for document in documents]

    async def next_due(self) -> datetime | None:
        async with self._gate.operation():
            first = await self._timers.find_one(
                {}, {"claimable_at": True}, sort=[("claimable_at", ASCENDING)]
            )
        return None if first is None else first["claimable_at"]


SLICE = MongoSlice(
    name="timers",
    repository=MongoTimerRepository,
    queries={"timer_store": MongoTimerStore},
    collections=(TIMERS,),
    indexes=INDEXES,
)
