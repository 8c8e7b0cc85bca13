"""API keys in MongoDB: the apikeys module's slice."""

from collections.abc import Sequence
from typing import Final

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.apikeys import ApiKey, ApiKeyQueries, ApiKeyRepository

API_KEYS: Final = "api_keys"
"""API keys, ``_id`` = key id, each stored whole (a revocation replaces it: its dates are never ``$set``)."""

_OLDEST_FIRST: Final = [("created_at", ASCENDING), ("_id", ASCENDING)]
"""The order of :meth:`ApiKeyQueries.all`; an installation has a handful of keys, so no index serves it."""


def _key(document: Document | None) -> ApiKey | None:
    return None if document is None else from_document(ApiKey, document, "key_id")


class MongoApiKeyRepository(ApiKeyRepository):
    """The key repository of one unit of work."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._keys = database[API_KEYS]
        self._session = session

    async def get(self, key_id: str) -> ApiKey | None:
        return _key(await self._keys.find_one({"_id": key_id}, session=self._session))

    async def save(self, key: ApiKey) -> None:
        # Replacements carry their _id: an upsert then inserts exactly this document.
        document = to_document(key, "key_id")
        await self._keys.replace_one({"_id": key.key_id}, document, upsert=True, session=self._session)


class MongoApiKeyQueries(ApiKeyQueries):
    """Keys from committed data (each call reads the database: no cache)."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._keys = database[API_KEYS]
        self._gate = gate

    async def get(self, key_id: str) -> ApiKey | None:
        async with self._gate.operation():
            return _key(await self._keys.find_one({"_id": key_id}))

    async def all(self) -> Sequence[ApiKey]:
        async with self._gate.operation():
            documents = await self._keys.find().sort(_OLDEST_FIRST).to_list()
        return [key for document in documents if (key := _key(document))]


SLICE = MongoSlice(
    name="api_keys",
    repository=MongoApiKeyRepository,
    queries={"api_key_queries": MongoApiKeyQueries},
    collections=(API_KEYS,),
)
