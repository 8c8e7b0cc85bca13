"""Scheduled posts in MongoDB: the posts module's slice.

A post is one document: ``state`` and ``due_at`` for listings, the post itself as JSON in ``body`` (BSON has
no duration). Saving matches the version read, so two processes never both move the same post.
"""

from collections.abc import Sequence
from typing import Final

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import ConcurrentUpdateError
from yabot_core.posts import Post, PostQueries, PostRepository, PostState

POSTS: Final = "posts"
"""One document per post, ``_id`` = the post's id (kept in ``post_id`` too, to break ties in listings)."""

_SOONEST: Final = [("due_at", ASCENDING), ("post_id", ASCENDING)]

INDEXES: Final = {POSTS: [IndexModel(_SOONEST, name="posts_by_due")]}


def _document(post: Post) -> Document:
    return {
        "_id": post.post_id,
        "post_id": post.post_id,
        "state": post.state.value,
        "due_at": post.due_at,
        "version": post.version,
        "body": post.model_dump_json(),
    }


def _post(document: Document | None) -> Post | None:
    return None if document is None else Post.model_validate_json(document["body"])


class MongoPostRepository(PostRepository):
    """The posts of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._posts = database[POSTS]
        self._session = session

    async def get(self, post_id: str) -> Post | None:
        return _post(await self._posts.find_one({"_id": post_id}, session=self._session))

    async def save(self, post: Post) -> None:
        conflict = ConcurrentUpdateError(detail={"post_id": post.post_id, "version": post.version})
        try:
            if post.version == 1:
                await insert_new(self._posts, _document(post), self._session)
                return
            moved = await self._posts.replace_one(
                {"_id": post.post_id, "version": post.version - 1}, _document(post), session=self._session
            )
        except DuplicateKeyError as exc:
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict


class MongoPostQueries(PostQueries):
    """Committed posts."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._posts = database[POSTS]
        self._gate = gate

    async def get(self, post_id: str) -> Post | None:
        async with self._gate.operation():
            return _post(await self._posts.find_one({"_id": post_id}))

    async def listing(self, *, states: Sequence[PostState] = (), limit: int = 50) -> Sequence[Post]:
        if limit <= 0:
            return []  # PyMongo reads a limit of 0 as "no limit"
        query: Document = {"state": {"$in": [state.value for state in states]}} if states else {}
        async with self._gate.operation():
            documents = await self._posts.find(query).sort(_SOONEST).limit(limit).to_list()
        return [post for document in documents if (post := _post(document))]


SLICE = MongoSlice(
    name="posts",
    repository=MongoPostRepository,
    queries={"post_queries": MongoPostQueries},
    collections=(POSTS,),
    indexes=INDEXES,
)
