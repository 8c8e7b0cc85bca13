"""Lucien's messages in MongoDB: the lucien module's slice."""

from collections.abc import Sequence
from typing import Final

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import UserId
from yabot_core.lucien import LucienMessage, LucienQueries, LucienRepository

LUCIEN_MESSAGES: Final = "lucien_messages"
"""Lucien's messages, ``_id`` = message key, each stored whole, with ``key`` again (nx-27017 cannot put
``_id`` in a secondary index, and the order breaks ties by key)."""

_NEWEST_DUE: Final = [("due_at", DESCENDING), ("key", DESCENDING)]
"""The order of :meth:`LucienQueries.recent`; the key breaks ties so pages are stable."""

INDEXES: Final = {
    LUCIEN_MESSAGES: [
        IndexModel(_NEWEST_DUE, name="lucien_messages_recent"),
        IndexModel([("user_id", DESCENDING), *_NEWEST_DUE], name="lucien_messages_user_recent"),
    ]
}


def _document(message: LucienMessage) -> Document:
    return to_document(message, "key", keep_id_field=True)


def _message(document: Document | None) -> LucienMessage | None:
    return None if document is None else from_document(LucienMessage, document, "key")


class MongoLucienRepository(LucienRepository):
    """Lucien's messages in one unit of work."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._messages = database[LUCIEN_MESSAGES]
        self._session = session

    async def get(self, key: str) -> LucienMessage | None:
        return _message(await self._messages.find_one({"_id": key}, session=self._session))

    async def save(self, message: LucienMessage) -> None:
        await self._messages.replace_one(
            {"_id": message.key}, _document(message), upsert=True, session=self._session
        )


class MongoLucienQueries(LucienQueries):
    """Committed messages, for operators."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._messages = database[LUCIEN_MESSAGES]
        self._gate = gate

    async def get(self, key: str) -> LucienMessage | None:
        async with self._gate.operation():
            return _message(await self._messages.find_one({"_id": key}))

    async def recent(self, *, user_id: UserId | None = None, limit: int = 50) -> Sequence[LucienMessage]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        query: Document = {} if user_id is None else {"user_id": user_id}
        async with self._gate.operation():
            documents = await self._messages.find(query).sort(_NEWEST_DUE).limit(limit).to_list()
        return [message for document in documents if (message := _message(document))]


SLICE = MongoSlice(
    name="lucien",
    repository=MongoLucienRepository,
    queries={"lucien_queries": MongoLucienQueries},
    collections=(LUCIEN_MESSAGES,),
    indexes=INDEXES,
)
