"""Story progress in MongoDB: the story module's slice.

A record changes only from the revision it was read at (a conditional replacement), so two transactions that
read the same progress never both move it. The record itself is kept as JSON beside the fields it is found
and sorted by: BSON dates keep milliseconds only, and a progress read back must equal the one stored.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.story import FragmentId, StoryId, StoryProgress, StoryQueries, StoryRepository

STORY_PROGRESS: Final = "story_progress"
"""``{_id: "<user>/<story>", user_id, story_id, revision, updated_at, record}``: one fan in one story."""

_NEWEST: Final = [("updated_at", DESCENDING), ("story_id", DESCENDING)]

INDEXES: Final = {
    STORY_PROGRESS: [
        IndexModel([("user_id", ASCENDING), ("updated_at", DESCENDING)], name="story_progress_user"),
    ],
}


def _id(user_id: UserId, story_id: StoryId) -> str:
    return f"{user_id}/{story_id}"


def _document(progress: StoryProgress) -> Document:
    return {
        "_id": _id(progress.user_id, progress.story_id),
        "user_id": progress.user_id,
        "story_id": progress.story_id,
        "revision": progress.revision,
        "updated_at": progress.updated_at,
        "record": progress.model_dump_json(),
    }


def _progress(document: Document | None) -> StoryProgress | None:
    return None if document is None else StoryProgress.model_validate_json(document["record"])


class MongoStoryRepository(StoryRepository):
    """Progress in one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._progress = database[STORY_PROGRESS]
        self._session = session

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        return _progress(
            await self._progress.find_one({"_id": _id(user_id, story_id)}, session=self._session)
        )

    async def save(self, progress: StoryProgress) -> None:
        document = _document(progress)
        try:
            if progress.revision == 1:
                await self._progress.insert_one(document, session=self._session)
                return
            moved = await self._progress.replace_one(
                {"_id": document["_id"], "revision": progress.revision - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:  # another transaction started it first
            raise _conflict(progress) from exc
        if moved.matched_count == 0:
            raise _conflict(progress)


class MongoStoryQueries(StoryQueries):
    """Committed progress."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._progress = database[STORY_PROGRESS]
        self._gate = gate

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        async with self._gate.operation():
            return _progress(await self._progress.find_one({"_id": _id(user_id, story_id)}))

    async def of_user(self, user_id: UserId) -> Sequence[StoryProgress]:
        async with self._gate.operation():
            documents = await self._progress.find({"user_id": user_id}).sort(_NEWEST).to_list()
        return [progress for document in documents if (progress := _progress(document))]

    async def fans_by_fragment(self, story_id: StoryId) -> Mapping[FragmentId, int]:
        """Read from each record (kept as JSON): an operator's count, never on a fan's path."""
        async with self._gate.operation():
            documents = await self._progress.find({"story_id": story_id}, {"record": 1}).to_list()
        return Counter(progress.current for document in documents if (progress := _progress(document)))


def _conflict(progress: StoryProgress) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(
        detail={"user_id": progress.user_id, "story_id": progress.story_id, "revision": progress.revision}
    )


SLICE = MongoSlice(
    name="story",
    repository=MongoStoryRepository,
    queries={"story_queries": MongoStoryQueries},
    collections=(STORY_PROGRESS,),
    indexes=INDEXES,
)
