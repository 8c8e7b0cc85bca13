"""Broadcasts and notifications: an audience, opt-outs by category, Telegram's limits, at most once each."""

from yabot_core.broadcasts.errors import (
    BroadcastFinishedError,
    BroadcastNotFoundError,
    InvalidBroadcastError,
    UnknownCategoryError,
)
from yabot_core.broadcasts.events import BroadcastCreated, BroadcastFinished, NotificationSent
from yabot_core.broadcasts.manifest import MANIFEST
from yabot_core.broadcasts.models import (
    CATEGORIES,
    MAX_SEND_ATTEMPTS,
    MAX_TEXT,
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastProgress,
    BroadcastState,
    NotificationPreferences,
    Recipient,
    RecipientState,
)
from yabot_core.broadcasts.ports import (
    AudienceSource,
    BroadcastQueries,
    BroadcastRepository,
    BroadcastStorage,
    BroadcastsUnitOfWork,
    Notifier,
)
from yabot_core.broadcasts.runner import Broadcaster, LeaseLostError, ProgressCallback
from yabot_core.broadcasts.service import Broadcasts, audience_of, progress_of

__all__ = [
    "CATEGORIES",
    "MANIFEST",
    "MAX_SEND_ATTEMPTS",
    "MAX_TEXT",
    "Audience",
    "AudienceKind",
    "AudienceSource",
    "Broadcast",
    "BroadcastCreated",
    "BroadcastFinished",
    "BroadcastFinishedError",
    "BroadcastNotFoundError",
    "BroadcastProgress",
    "BroadcastQueries",
    "BroadcastRepository",
    "BroadcastState",
    "BroadcastStorage",
    "Broadcaster",
    "Broadcasts",
    "BroadcastsUnitOfWork",
    "InvalidBroadcastError",
    "LeaseLostError",
    "NotificationPreferences",
    "NotificationSent",
    "Notifier",
    "ProgressCallback",
    "Recipient",
    "RecipientState",
    "UnknownCategoryError",
    "audience_of",
    "progress_of",
]
