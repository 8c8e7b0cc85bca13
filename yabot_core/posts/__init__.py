"""Scheduled posts to the free and VIP channels: durable, published once, protected, removed on time."""

from yabot_core.posts.errors import (
    ChannelNotConfiguredError,
    InvalidPostError,
    PostNotEditableError,
    PostNotFoundError,
    PublishRefusedError,
)
from yabot_core.posts.events import PostCancelled, PostFailed, PostPublished, PostRemoved, PostScheduled
from yabot_core.posts.manifest import MANIFEST
from yabot_core.posts.models import (
    MAX_ALBUM,
    MAX_ATTEMPTS,
    MAX_CAPTION,
    MAX_REMOVE_AFTER,
    MAX_TEXT,
    MediaKind,
    Post,
    PostChannel,
    PostContent,
    PostMedia,
    PostState,
    protected,
    retry_delay,
)
from yabot_core.posts.ports import (
    ChannelPublisher,
    PostQueries,
    PostRepository,
    PostStorage,
    PostsUnitOfWork,
)
from yabot_core.posts.service import PUBLISH_TIMER, REMOVE_TIMER, ScheduledPosts, post_content

__all__ = [
    "MANIFEST",
    "MAX_ALBUM",
    "MAX_ATTEMPTS",
    "MAX_CAPTION",
    "MAX_REMOVE_AFTER",
    "MAX_TEXT",
    "PUBLISH_TIMER",
    "REMOVE_TIMER",
    "ChannelNotConfiguredError",
    "ChannelPublisher",
    "InvalidPostError",
    "MediaKind",
    "Post",
    "PostCancelled",
    "PostChannel",
    "PostContent",
    "PostFailed",
    "PostMedia",
    "PostNotEditableError",
    "PostNotFoundError",
    "PostPublished",
    "PostQueries",
    "PostRemoved",
    "PostRepository",
    "PostScheduled",
    "PostState",
    "PostStorage",
    "PostsUnitOfWork",
    "PublishRefusedError",
    "ScheduledPosts",
    "post_content",
    "protected",
    "retry_delay",
]
