"""Fans' reactions and their daily counts in MongoDB: the reactions module's slice.

A reaction's ``_id`` is ``<user>/<chat>/<message>``, so a fan's first reaction to a message is inserted
once; a day's count is ``<user>/<day>`` (days as ISO text: BSON has no date without a time).
"""

from collections.abc import Mapping
from datetime import date
from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.reactions import PostReaction, ReactionDay, ReactionQueries, ReactionRepository

REACTIONS: Final = "reactions"
"""One document per fan and message, ``_id`` = ``<user>/<chat>/<message>``."""
REACTION_DAYS: Final = "reaction_days"
"""One document per fan and day with paid reactions, ``_id`` = ``<user>/<day>``."""

_BY_MESSAGE: Final = [("chat_id", ASCENDING), ("message_id", ASCENDING)]

INDEXES: Final = {REACTIONS: [IndexModel(_BY_MESSAGE, name="reactions_message")]}


def _reaction_id(user_id: UserId, chat_id: int, message_id: int) -> str:
    return f"{user_id}/{chat_id}/{message_id}"


def _day_id(user_id: UserId, day: date) -> str:
    return f"{user_id}/{day.isoformat()}"


def _reaction(document: Document | None) -> PostReaction | None:
    if document is None:
        return None
    return PostReaction.model_validate({name: value for name, value in document.items() if name != "_id"})


class MongoReactionRepository(ReactionRepository):
    """The reactions of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._reactions = database[REACTIONS]
        self._days = database[REACTION_DAYS]
        self._session = session

    async def get(self, user_id: UserId, chat_id: int, message_id: int) -> PostReaction | None:
        found = await self._reactions.find_one(
            {"_id": _reaction_id(user_id, chat_id, message_id)}, session=self._session
        )
        return _reaction(found)

    async def save(self, reaction: PostReaction) -> None:
        document = {
            "_id": _reaction_id(reaction.user_id, reaction.chat_id, reaction.message_id),
            **reaction.model_dump(mode="python"),
        }
        document["source"] = reaction.source.value
        conflict = ConcurrentUpdateError(
            detail={
                "user_id": reaction.user_id,
                "message_id": reaction.message_id,
                "version": reaction.version,
            }
        )
        try:
            if reaction.version == 1:
                await insert_new(self._reactions, document, self._session)
                return
            moved = await self._reactions.replace_one(
                {"_id": document["_id"], "version": reaction.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction recorded it first
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict

    async def day(self, user_id: UserId, day: date) -> ReactionDay | None:
        found = await self._days.find_one({"_id": _day_id(user_id, day)}, session=self._session)
        if found is None:
            return None
        return ReactionDay(
            user_id=UserId(found["user_id"]),
            day=date.fromisoformat(found["day"]),
            paid=found["paid"],
            version=found["version"],
        )

    async def save_day(self, record: ReactionDay) -> None:
        document = {
            "_id": _day_id(record.user_id, record.day),
            "user_id": record.user_id,
            "day": record.day.isoformat(),
            "paid": record.paid,
            "version": record.version,
        }
        conflict = ConcurrentUpdateError(detail={"user_id": record.user_id, "day": record.day.isoformat()})
        try:
            if record.version == 1:
                await insert_new(self._days, document, self._session)
                return
            moved = await self._days.replace_one(
                {"_id": document["_id"], "version": record.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict


class MongoReactionQueries(ReactionQueries):
    """Reactions from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._reactions = database[REACTIONS]
        self._gate = gate

    async def tally(self, chat_id: int, message_id: int) -> Mapping[str, int]:
        async with self._gate.operation():
            documents = await self._reactions.find(
                {"chat_id": chat_id, "message_id": message_id}, projection={"emoji": True}
            ).to_list()
        counts: dict[str, int] = {}
        for document in documents:
            emoji = document.get("emoji")
            if isinstance(emoji, str):
                counts[emoji] = counts.get(emoji, 0) + 1
        return counts


SLICE = MongoSlice(
    name="reactions",
    repository=MongoReactionRepository,
    queries={"reaction_queries": MongoReactionQueries},
    collections=(REACTIONS, REACTION_DAYS),
    indexes=INDEXES,
)
