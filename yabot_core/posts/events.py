"""Events the scheduled posts publish."""

from typing import ClassVar

from pydantic import AwareDatetime

from yabot_core.kernel import Event


class PostScheduled(Event):
    """A post was scheduled (or rescheduled by an edit) for ``due_at``."""

    event_type: ClassVar[str] = "post.scheduled"

    post_id: str
    channel: str
    due_at: AwareDatetime
    protect: bool


class PostPublished(Event):
    """A post reached its channel as ``message_ids``."""

    event_type: ClassVar[str] = "post.published"

    post_id: str
    channel: str
    message_ids: tuple[int, ...]
    protect: bool


class PostCancelled(Event):
    """A scheduled post was cancelled before its time."""

    event_type: ClassVar[str] = "post.cancelled"

    post_id: str


class PostFailed(Event):
    """A post was given up: refused by Telegram, out of retries, or of unknown fate (``uncertain``)."""

    event_type: ClassVar[str] = "post.failed"

    post_id: str
    state: str
    error: str


class PostRemoved(Event):
    """A published post was removed from its channel by its timed protection rule."""

    event_type: ClassVar[str] = "post.removed"

    post_id: str
    message_ids: tuple[int, ...]
