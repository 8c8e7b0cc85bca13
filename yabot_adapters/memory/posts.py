"""Scheduled posts in memory: the posts module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError
from yabot_core.posts import Post, PostQueries, PostRepository, PostState


@dataclass
class PostsState:
    """Committed posts by id."""

    posts: dict[str, Post] = field(default_factory=dict)


class InMemoryPostRepository(PostRepository):
    """The posts of one in-memory unit of work: writes are staged."""

    def __init__(self, state: PostsState) -> None:
        self._posts = Overlay(state.posts)

    async def get(self, post_id: str) -> Post | None:
        return self._posts.get(post_id)

    async def save(self, post: Post) -> None:
        current = self._posts.get(post.post_id)
        if (current.version if current else 0) != post.version - 1:
            raise ConcurrentUpdateError(detail={"post_id": post.post_id, "version": post.version})
        self._posts.stage(post.post_id, post)

    def apply(self) -> None:
        self._posts.apply()


class InMemoryPostQueries(PostQueries):
    """Posts from committed state."""

    def __init__(self, state: PostsState) -> None:
        self._state = state

    async def get(self, post_id: str) -> Post | None:
        return self._state.posts.get(post_id)

    async def listing(self, *, states: Sequence[PostState] = (), limit: int = 50) -> Sequence[Post]:
        chosen = [post for post in self._state.posts.values() if not states or post.state in states]
        return sorted(chosen, key=lambda post: (post.due_at, post.post_id))[:limit]


SLICE = MemorySlice(
    name="posts",
    state=PostsState,
    repository=InMemoryPostRepository,
    queries={"post_queries": InMemoryPostQueries},
)
