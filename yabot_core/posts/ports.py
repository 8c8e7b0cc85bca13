"""What scheduled posts need: storage for posts, and a way to publish into (and delete from) a channel."""

from collections.abc import Sequence
from typing import Protocol

from yabot_core.audit import AuditUnitOfWork
from yabot_core.kernel import TimersUnitOfWork
from yabot_core.posts.models import Post, PostChannel, PostContent, PostState


class PostRepository(Protocol):
    """Posts inside one transaction."""

    async def get(self, post_id: str) -> Post | None:
        """Return the post, or ``None``."""
        ...

    async def save(self, post: Post) -> None:
        """Store ``post`` over the version it was read at (``post.version - 1``; none for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is another (someone changed it meanwhile). Transient:
                the work is retried and reads the new version.
        """
        ...


class PostsUnitOfWork(TimersUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching posts, timers and the audit log: a post and its timer commit together."""

    @property
    def posts(self) -> PostRepository:
        """The posts of this transaction."""
        ...


class PostQueries(Protocol):
    """Committed posts."""

    async def get(self, post_id: str) -> Post | None:
        """Return the post, or ``None``."""
        ...

    async def listing(self, *, states: Sequence[PostState] = (), limit: int = 50) -> Sequence[Post]:
        """Return up to ``limit`` posts (in ``states``, if given), soonest due first, ties by id."""
        ...


class PostStorage(Protocol):
    """What a storage backend offers scheduled posts besides its unit of work."""

    @property
    def post_queries(self) -> PostQueries:
        """Committed posts."""
        ...


class ChannelPublisher(Protocol):
    """Publishes into the free or VIP channel, within Telegram's limits.

    Raises (both methods):
        ChannelNotConfiguredError: that channel has no id here.
        PublishRefusedError: Telegram refused for good (bad file, no rights): retrying will not help.
        UnavailableError: Telegram is away or asked to slow down; nothing was published, retry later.
        DeliveryUncertainError: Telegram was asked and never answered: it may be published.
    """

    async def publish(self, channel: PostChannel, content: PostContent, *, protect: bool) -> Sequence[int]:
        """Publish ``content``; return the message ids Telegram gave it (several for an album)."""
        ...

    async def delete(self, channel: PostChannel, message_ids: Sequence[int]) -> None:
        """Delete those messages from the channel (ones already gone are fine)."""
        ...
