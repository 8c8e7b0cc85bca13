"""The Telegram adapter (aiogram 3): the bot, its dispatcher and routers, and Lucien's messenger.

A fake Bot API server for tests lives in :mod:`yabot_adapters.telegram.testing`.
"""

from yabot_adapters.telegram.bot import DEFAULT_API_URL, create_bot, prepare_bot
from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.dispatcher import build_dispatcher
from yabot_adapters.telegram.errors import reply_for
from yabot_adapters.telegram.messenger import OutgoingLimiter, TelegramMessenger
from yabot_adapters.telegram.middlewares import (
    REGISTRATION_KEY,
    UPDATE_TRACKER_KEY,
    UpdateTracker,
    correlation_id_for,
    track_updates,
)
from yabot_adapters.telegram.polling import TelegramPolling
from yabot_adapters.telegram.throttling import (
    InProcessPaces,
    PaceJudge,
    ThrottlingMiddleware,
    UserPace,
    Verdict,
)
from yabot_adapters.telegram.webhook import WebhookUpdates

__all__ = [
    "DEFAULT_API_URL",
    "REGISTRATION_KEY",
    "UPDATE_TRACKER_KEY",
    "InProcessPaces",
    "MenuEntry",
    "OutgoingLimiter",
    "PaceJudge",
    "TelegramMessenger",
    "TelegramPolling",
    "ThrottlingMiddleware",
    "UpdateTracker",
    "UserPace",
    "Verdict",
    "WebhookUpdates",
    "build_dispatcher",
    "correlation_id_for",
    "create_bot",
    "prepare_bot",
    "reply_for",
    "track_updates",
]
