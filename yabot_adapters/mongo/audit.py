"""The audit log in MongoDB: the audit module's slice."""

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
from yabot_adapters.mongo.snapshot import read_snapshot
from yabot_core.audit import Actor, ActorKind, AuditEntry, AuditPage, AuditQueries, AuditRepository
from yabot_core.kernel import ConcurrentUpdateError, CorrelationId

AUDIT_LOG: Final = "audit_log"
"""One document per entry, ``_id`` = entry id, stored again as ``entry_id`` (nx-27017 cannot put ``_id`` in a
secondary index, and the newest-first order breaks ties by id); the actor flattened to two fields."""

_NEWEST: Final = [("created_at", DESCENDING), ("entry_id", DESCENDING)]

INDEXES: Final = {
    AUDIT_LOG: [
        IndexModel(_NEWEST, name="audit_log_newest"),
        IndexModel([("target", ASCENDING), *_NEWEST], name="audit_log_target_newest"),
    ]
}


def _document(entry: AuditEntry) -> Document:
    return {
        "_id": entry.entry_id,
        "entry_id": entry.entry_id,
        "actor_kind": entry.actor.kind.value,
        "actor_name": entry.actor.name,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
        "correlation_id": entry.correlation_id,
        "created_at": entry.created_at,
    }


def _entry(document: Document) -> AuditEntry:
    return AuditEntry(
        entry_id=document["entry_id"],
        actor=Actor(kind=ActorKind(document["actor_kind"]), name=document["actor_name"]),
        action=document["action"],
        target=document["target"],
        detail=document["detail"],
        correlation_id=CorrelationId(document["correlation_id"]),
        created_at=document["created_at"],
    )


class MongoAuditRepository(AuditRepository):
    """The audit log of one unit of work; every write runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._log = database[AUDIT_LOG]
        self._session = session

    async def append(self, entry: AuditEntry) -> None:
        try:
            await insert_new(self._log, _document(entry), self._session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdateError(detail={"entry_id": entry.entry_id}) from exc


class MongoAuditQueries(AuditQueries):
    """Pages of committed entries, each page and its count from one snapshot."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._database = database
        self._log = database[AUDIT_LOG]
        self._gate = gate

    async def page(
        self,
        *,
        limit: int,
        offset: int,
        target: str | None = None,
        since: datetime | None = None,
        actor: Actor | None = None,
    ) -> AuditPage:
        query: Document = {}
        if target is not None:
            query["target"] = target
        if since is not None:
            query["created_at"] = {"$gte": since}
        if actor is not None:
            query |= {"actor_kind": actor.kind.value, "actor_name": actor.name}

        async def read(session: AsyncClientSession) -> AuditPage:
            # The find goes first: nx-27017 refuses a transaction whose first command is an aggregate
            # (count_documents is one). A limit of 0 would mean "no limit".
            cursor = self._log.find(query, session=session).sort(_NEWEST).skip(offset).limit(max(limit, 1))
            entries = [_entry(document) async for document in cursor][: max(limit, 0)]
            total = await self._log.count_documents(query, session=session)
            return AuditPage(entries=tuple(entries), total=total, limit=limit, offset=offset)

        return await read_snapshot(self._gate, self._database, read)


SLICE = MongoSlice(
    name="audit",
    repository=MongoAuditRepository,
    queries={"audit_queries": MongoAuditQueries},
    collections=(AUDIT_LOG,),
    indexes=INDEXES,
)
