"""Daily gift claims in MongoDB: the daily gift module's slice.

A claim's ``_id`` is ``<user>/<day>``: a second claim of the same day collides on it, whatever runs at once.
Days are stored as ISO text (``2026-01-31``): BSON has no date without a time, and the text sorts as days.
"""

from datetime import date
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.daily_gift import DailyClaim, DailyGiftQueries, DailyGiftRepository, ReminderSetting
from yabot_core.kernel import ConcurrentUpdateError, UserId

DAILY_GIFT_CLAIMS: Final = "daily_gift_claims"
"""One document per fan and day, ``_id`` = ``<user>/<day>``."""
DAILY_GIFT_REMINDERS: Final = "daily_gift_reminders"
"""One document per fan who chose, ``_id`` = the user id: on or off, and the last day reminded."""

_LATEST: Final = [("user_id", ASCENDING), ("day", DESCENDING)]

INDEXES: Final = {
    DAILY_GIFT_CLAIMS: [IndexModel(_LATEST, name="daily_gift_claims_user_day")],
}


def _document(claim: DailyClaim) -> Document:
    fields = claim.model_dump(mode="python")
    fields["day"] = claim.day.isoformat()
    return {"_id": f"{claim.user_id}/{fields['day']}", **fields}


def _claim(document: Document | None) -> DailyClaim | None:
    if document is None:
        return None
    fields = {name: value for name, value in document.items() if name != "_id"}
    fields["day"] = date.fromisoformat(fields["day"])
    return DailyClaim.model_validate(fields)


def _reminder(document: Document | None) -> ReminderSetting | None:
    if document is None:
        return None
    day = document.get("reminded_day")
    return ReminderSetting(
        user_id=UserId(document["_id"]),
        enabled=document["enabled"],
        reminded_day=None if day is None else date.fromisoformat(day),
        version=document["version"],
    )


class MongoDailyGiftRepository(DailyGiftRepository):
    """The claims of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._claims = database[DAILY_GIFT_CLAIMS]
        self._reminders = database[DAILY_GIFT_REMINDERS]
        self._session = session

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        cursor = self._claims.find({"user_id": user_id}, session=self._session).sort(_LATEST).limit(1)
        return _claim(next(iter(await cursor.to_list()), None))

    async def add_claim(self, claim: DailyClaim) -> None:
        try:
            await insert_new(self._claims, _document(claim), self._session)
        except DuplicateKeyError as exc:  # that day's claim exists: another transaction stored it first
            detail = {"user_id": claim.user_id, "day": claim.day.isoformat()}
            raise ConcurrentUpdateError(detail=detail) from exc

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        return _reminder(await self._reminders.find_one({"_id": user_id}, session=self._session))

    async def save_reminder(self, setting: ReminderSetting) -> None:
        day = None if setting.reminded_day is None else setting.reminded_day.isoformat()
        document = {
            "_id": setting.user_id,
            "enabled": setting.enabled,
            "reminded_day": day,
            "version": setting.version,
        }
        conflict = ConcurrentUpdateError(detail={"user_id": setting.user_id, "version": setting.version})
        try:
            if setting.version == 1:
                await insert_new(self._reminders, document, self._session)
                return
            moved = await self._reminders.replace_one(
                {"_id": setting.user_id, "version": setting.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction created it first
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict


class MongoDailyGiftQueries(DailyGiftQueries):
    """Claims from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._claims = database[DAILY_GIFT_CLAIMS]
        self._reminders = database[DAILY_GIFT_REMINDERS]
        self._gate = gate

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        async with self._gate.operation():
            documents = await self._claims.find({"user_id": user_id}).sort(_LATEST).limit(1).to_list()
        return _claim(next(iter(documents), None))

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        async with self._gate.operation():
            return _reminder(await self._reminders.find_one({"_id": user_id}))


SLICE = MongoSlice(
    name="daily_gifts",
    repository=MongoDailyGiftRepository,
    queries={"daily_gift_queries": MongoDailyGiftQueries},
    collections=(DAILY_GIFT_CLAIMS, DAILY_GIFT_REMINDERS),
    indexes=INDEXES,
)
