"""Users and dead letters inside one Mongo transaction."""

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document, from_document, to_document
from yabot_adapters.mongo.schema import DEAD_LETTERS, USERS
from yabot_core.kernel import DeadLetter, DeadLetterRepository, UserId
from yabot_core.users import User, UserRepository


class MongoUserRepository(UserRepository):
    """The user repository of one unit of work."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._users = database[USERS]
        self._session = session

    async def get(self, user_id: UserId) -> User | None:
        document = await self._users.find_one({"_id": user_id}, session=self._session)
        return None if document is None else from_document(User, document, "user_id")

    async def save(self, user: User) -> None:
        # Replacements carry their _id: an upsert then inserts exactly this document.
        document = to_document(user, "user_id")
        await self._users.replace_one({"_id": user.user_id}, document, upsert=True, session=self._session)


class MongoDeadLetterRepository(DeadLetterRepository):
    """The dead-letter repository of one unit of work."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._dead_letters = database[DEAD_LETTERS]
        self._session = session

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        document = await self._dead_letters.find_one({"_id": dead_letter_id}, session=self._session)
        return None if document is None else from_document(DeadLetter, document, "dead_letter_id")

    async def save(self, dead_letter: DeadLetter) -> None:
        document = to_document(dead_letter, "dead_letter_id")
        await self._dead_letters.replace_one(
            {"_id": dead_letter.dead_letter_id}, document, upsert=True, session=self._session
        )
