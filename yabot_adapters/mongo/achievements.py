"""Fans' logros and counted events in MongoDB: the achievements module's slice.

A logro's progress (``_id`` = ``<user>/<logro>``) moves only from the version it was read at; a counted
event has its id as ``_id``, so one event is never counted twice.
"""

from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.achievements import AchievementQueries, AchievementRepository, UserAchievement
from yabot_core.kernel import ConcurrentUpdateError, EventId, UserId

ACHIEVEMENTS: Final = "achievements"
"""One document per fan and logro, ``_id`` = ``<user>/<logro>``."""
ACHIEVEMENT_EVENTS: Final = "achievement_events"
"""One document per event counted, ``_id`` = the event's id."""

_BY_USER: Final = [("user_id", ASCENDING), ("achievement_id", ASCENDING)]

INDEXES: Final = {ACHIEVEMENTS: [IndexModel(_BY_USER, name="achievements_user_achievement")]}


def _document_id(user_id: UserId, achievement_id: str) -> str:
    return f"{user_id}/{achievement_id}"


def _achievement(document: Document | None) -> UserAchievement | None:
    if document is None:
        return None
    return UserAchievement.model_validate({name: value for name, value in document.items() if name != "_id"})


class MongoAchievementRepository(AchievementRepository):
    """The logros of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._achievements = database[ACHIEVEMENTS]
        self._events = database[ACHIEVEMENT_EVENTS]
        self._session = session

    async def get(self, user_id: UserId, achievement_id: str) -> UserAchievement | None:
        found = await self._achievements.find_one(
            {"_id": _document_id(user_id, achievement_id)}, session=self._session
        )
        return _achievement(found)

    async def save(self, achievement: UserAchievement) -> None:
        document = {
            "_id": _document_id(achievement.user_id, achievement.achievement_id),
            **achievement.model_dump(),
        }
        conflict = ConcurrentUpdateError(
            detail={
                "user_id": achievement.user_id,
                "achievement_id": achievement.achievement_id,
                "version": achievement.version,
            }
        )
        try:
            if achievement.version == 1:
                await insert_new(self._achievements, document, self._session)
                return
            moved = await self._achievements.replace_one(
                {"_id": document["_id"], "version": achievement.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction created it first
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict

    async def counted(self, event_id: EventId) -> bool:
        return await self._events.find_one({"_id": event_id}, session=self._session) is not None

    async def count(self, event_id: EventId, user_id: UserId) -> None:
        try:
            await insert_new(self._events, {"_id": event_id, "user_id": user_id}, self._session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdateError(detail={"event_id": event_id}) from exc


class MongoAchievementQueries(AchievementQueries):
    """Logros from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._achievements = database[ACHIEVEMENTS]
        self._gate = gate

    async def for_user(self, user_id: UserId) -> tuple[UserAchievement, ...]:
        async with self._gate.operation():
            documents = await self._achievements.find({"user_id": user_id}).sort(_BY_USER).to_list()
        return tuple(record for document in documents if (record := _achievement(document)))


SLICE = MongoSlice(
    name="achievements",
    repository=MongoAchievementRepository,
    queries={"achievement_queries": MongoAchievementQueries},
    collections=(ACHIEVEMENTS, ACHIEVEMENT_EVENTS),
    indexes=INDEXES,
)
