"""A scheduled post: what goes to which channel, when, protected or not, and what became of it."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MAX_TEXT: Final = 4096
"""Telegram's limit for a text message."""
MAX_CAPTION: Final = 1024
"""Telegram's limit for a photo's, a video's or an album's caption."""
MAX_ALBUM: Final = 10
"""``sendMediaGroup`` takes 2 to 10 photos or videos."""
MAX_REMOVE_AFTER: Final = timedelta(hours=47)
"""Telegram lets a bot delete its channel posts only within 48 hours of sending them: an hour of margin."""
MAX_ATTEMPTS: Final = 5
"""Transient failures retried (with exponential backoff) before the post is given up and admins told."""
STALE_PUBLISHING: Final = timedelta(minutes=2)
"""A post still ``publicando`` this long after Telegram was asked lost its sender (a crash): its fate is
unknown. Younger, another handler is sending it right now (a redelivery overlapping the first)."""
FIRST_RETRY: Final = timedelta(seconds=30)
"""The first retry's delay; each next one doubles it (30 s, 1 min, 2 min, 4 min)."""


class PostChannel(StrEnum):
    """Where a post goes: the free channel or the VIP one (whose content is always protected)."""

    FREE = "gratuito"
    VIP = "vip"


class MediaKind(StrEnum):
    """What a media item is."""

    PHOTO = "foto"
    VIDEO = "video"


class PostState(StrEnum):
    """A post's life: scheduled, publishing (Telegram asked), then published, failed, cancelled...

    ``uncertain`` is a post whose publication Telegram never answered (or a process died mid-send): it may
    be in the channel, so it is not sent again; the admins are told to check.
    """

    SCHEDULED = "programada"
    PUBLISHING = "publicando"
    PUBLISHED = "publicada"
    FAILED = "fallida"
    UNCERTAIN = "incierta"
    CANCELLED = "cancelada"
    REMOVED = "retirada"


class PostMedia(BaseModel):
    """A photo or a video, by Telegram ``file_id`` or by an HTTP(S) URL Telegram fetches."""

    model_config = ConfigDict(frozen=True)

    kind: MediaKind
    file: str = Field(min_length=1, max_length=2048)


class PostContent(BaseModel):
    """A text post, or media with an optional caption (one photo, one video, or an album of 2 to 10)."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(default="", max_length=MAX_TEXT)
    media: tuple[PostMedia, ...] = Field(default=(), max_length=MAX_ALBUM)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if not self.media and not self.text.strip():
            msg = "una publicación necesita texto o al menos una foto o un vídeo"
            raise ValueError(msg)
        if self.media and len(self.text) > MAX_CAPTION:
            msg = f"el texto que acompaña a fotos o vídeos tiene como mucho {MAX_CAPTION} caracteres"
            raise ValueError(msg)
        return self

    @property
    def kind(self) -> str:
        """``texto``, ``foto``, ``video`` or ``album``: what Telegram is asked to send."""
        if not self.media:
            return "texto"
        if len(self.media) > 1:
            return "album"
        return str(self.media[0].kind)


class Post(BaseModel):
    """A post and its fate. ``version`` grows with every change (stored over the version read)."""

    model_config = ConfigDict(frozen=True)

    post_id: str = Field(min_length=1, max_length=64)
    channel: PostChannel
    content: PostContent
    due_at: AwareDatetime
    protect: bool
    """Whether Telegram forbids forwarding and saving it (always, in the VIP channel)."""
    remove_after: timedelta | None = None
    """Removed from the channel this long after it is published (the timed protection rule)."""
    state: PostState = PostState.SCHEDULED
    attempts: int = Field(default=0, ge=0)
    message_ids: tuple[int, ...] = ()
    error: str | None = None
    created_by: str
    created_at: AwareDatetime
    publishing_since: AwareDatetime | None = None
    """When Telegram was (about to be) asked, while ``publicando``."""
    published_at: AwareDatetime | None = None
    version: int = Field(default=1, ge=1)

    def changed(self, **changes: object) -> "Post":
        """This post with ``changes``, one version on."""
        return self.model_copy(update={**changes, "version": self.version + 1})

    @property
    def editable(self) -> bool:
        """Whether it can still be edited or cancelled (it has not started to leave)."""
        return self.state is PostState.SCHEDULED


def protected(channel: PostChannel, *, requested: bool) -> bool:
    """The protection rule by role: VIP content is always protected; free posts when asked."""
    return requested or channel is PostChannel.VIP


def retry_delay(attempt: int) -> timedelta:
    """The wait before retry number ``attempt`` (1-based): exponential from :data:`FIRST_RETRY`."""
    factor: int = 2 ** (attempt - 1)
    return FIRST_RETRY * factor


def removal_due(post: Post, published_at: datetime) -> datetime | None:
    """When a published post leaves the channel, if a timed rule applies."""
    return None if post.remove_after is None else published_at + post.remove_after
