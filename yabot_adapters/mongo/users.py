"""Users in MongoDB: the users module's slice."""

from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import UserId
from yabot_core.users import User, UserQueries, UserRepository

USERS: Final = "users"
"""Registered users, ``_id`` = user id, each stored whole (its dates are replaced, never ``$set``)."""


def _user(document: Document | None) -> User | None:
    return None if document is None else from_document(User, document, "user_id")


class MongoUserRepository(UserRepository):
    """The user repository of one unit of work."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._users = database[USERS]
        self._session = session

    async def get(self, user_id: UserId) -> User | None:
        return _user(await self._users.find_one({"_id": user_id}, session=self._session))

    async def save(self, user: User) -> None:
        # Replacements carry their _id: an upsert then inserts exactly this document.
        document = to_document(user, "user_id")
        await self._users.replace_one({"_id": user.user_id}, document, upsert=True, session=self._session)


class MongoUserQueries(UserQueries):
    """Users from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._users = database[USERS]
        self._gate = gate

    async def get(self, user_id: UserId) -> User | None:
        async with self._gate.operation():
            return _user(await self._users.find_one({"_id": user_id}))

    async def count(self) -> int:
        async with self._gate.operation():
            return await self._users.count_documents({})


SLICE = MongoSlice(
    name="users",
    repository=MongoUserRepository,
    queries={"user_queries": MongoUserQueries},
    collections=(USERS,),
)
