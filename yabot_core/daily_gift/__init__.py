"""The daily gift (regalo diario): one claim a day, streaks, weighted surprises. Public API."""

from yabot_core.daily_gift.content import (
    MAX_GIFT_ID_LENGTH,
    DailyGiftContent,
    GiftProblem,
    StreakRule,
    SurpriseGift,
    check_daily_gift,
    gift_label,
)
from yabot_core.daily_gift.errors import InvalidDailyGiftContentError
from yabot_core.daily_gift.events import DailyGiftClaimed
from yabot_core.daily_gift.manifest import MANIFEST
from yabot_core.daily_gift.models import (
    DAILY_GIFT,
    ClaimResult,
    DailyClaim,
    GiftStatus,
    ReminderSetting,
    day_of,
    start_of,
)
from yabot_core.daily_gift.ports import (
    DailyGiftQueries,
    DailyGiftRepository,
    DailyGiftStorage,
    DailyGiftUnitOfWork,
    RandomSource,
)
from yabot_core.daily_gift.reminders import REMINDER_TEXT, REMINDER_TIMER, DailyGiftReminders
from yabot_core.daily_gift.service import DailyGift

__all__ = [
    "DAILY_GIFT",
    "MANIFEST",
    "MAX_GIFT_ID_LENGTH",
    "REMINDER_TEXT",
    "REMINDER_TIMER",
    "ClaimResult",
    "DailyClaim",
    "DailyGift",
    "DailyGiftClaimed",
    "DailyGiftContent",
    "DailyGiftQueries",
    "DailyGiftReminders",
    "DailyGiftRepository",
    "DailyGiftStorage",
    "DailyGiftUnitOfWork",
    "GiftProblem",
    "GiftStatus",
    "InvalidDailyGiftContentError",
    "RandomSource",
    "ReminderSetting",
    "StreakRule",
    "SurpriseGift",
    "check_daily_gift",
    "day_of",
    "gift_label",
    "start_of",
]
