"""Fans' missions and counted events in MongoDB: the missions module's slice.

A mission (``_id`` = ``<user>/<mission>``) moves only from the version it was read at (a conditional
replacement, written whole); a counted event has its id as ``_id``, so one event is never counted twice.
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
from yabot_core.kernel import ConcurrentUpdateError, EventId, UserId
from yabot_core.missions import MissionQueries, MissionRepository, UserMission

MISSIONS: Final = "missions"
"""One document per fan and mission, ``_id`` = ``<user>/<mission>``."""
MISSION_EVENTS: Final = "mission_events"
"""One document per event counted, ``_id`` = the event's id."""

_BY_USER: Final = [("user_id", ASCENDING), ("mission_id", ASCENDING)]

INDEXES: Final = {MISSIONS: [IndexModel(_BY_USER, name="missions_user_mission")]}


def _mission_id(user_id: UserId, mission_id: str) -> str:
    return f"{user_id}/{mission_id}"


def _mission(document: Document | None) -> UserMission | None:
    if document is None:
        return None
    return UserMission.model_validate({name: value for name, value in document.items() if name != "_id"})


class MongoMissionRepository(MissionRepository):
    """The missions of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._missions = database[MISSIONS]
        self._events = database[MISSION_EVENTS]
        self._session = session

    async def get(self, user_id: UserId, mission_id: str) -> UserMission | None:
        found = await self._missions.find_one(
            {"_id": _mission_id(user_id, mission_id)}, session=self._session
        )
        return _mission(found)

    async def save(self, mission: UserMission) -> None:
        document = {"_id": _mission_id(mission.user_id, mission.mission_id), **mission.model_dump()}
        conflict = ConcurrentUpdateError(
            detail={"user_id": mission.user_id, "mission_id": mission.mission_id, "version": mission.version}
        )
        try:
            if mission.version == 1:
                await insert_new(self._missions, document, self._session)
                return
            moved = await self._missions.replace_one(
                {"_id": document["_id"], "version": mission.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction assigned it first
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


class MongoMissionQueries(MissionQueries):
    """Missions from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._missions = database[MISSIONS]
        self._gate = gate

    async def for_user(self, user_id: UserId) -> tuple[UserMission, ...]:
        async with self._gate.operation():
            documents = await self._missions.find({"user_id": user_id}).sort(_BY_USER).to_list()
        return tuple(mission for document in documents if (mission := _mission(document)))


SLICE = MongoSlice(
    name="missions",
    repository=MongoMissionRepository,
    queries={"mission_queries": MongoMissionQueries},
    collections=(MISSIONS, MISSION_EVENTS),
    indexes=INDEXES,
)
