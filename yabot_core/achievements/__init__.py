"""Logros (achievements): rules over counters of events, unlocked once with a reward. Public API."""

from yabot_core.achievements.content import (
    MAX_ACHIEVEMENT_ID_LENGTH,
    AchievementCatalog,
    AchievementDefinition,
    AchievementProblem,
    AchievementReward,
    EventLookup,
    Rule,
    achievement_label,
    check_achievements,
)
from yabot_core.achievements.errors import InvalidAchievementCatalogError
from yabot_core.achievements.events import AchievementUnlocked
from yabot_core.achievements.manifest import MANIFEST
from yabot_core.achievements.models import (
    ACHIEVEMENT_REWARD,
    AchievementStatus,
    AchievementsView,
    UserAchievement,
)
from yabot_core.achievements.notices import UNLOCKED, UNLOCKED_WITH_ITEM, AchievementNotices
from yabot_core.achievements.ports import (
    AchievementQueries,
    AchievementRepository,
    AchievementStorage,
    AchievementsUnitOfWork,
)
from yabot_core.achievements.service import Achievements

__all__ = [
    "ACHIEVEMENT_REWARD",
    "MANIFEST",
    "MAX_ACHIEVEMENT_ID_LENGTH",
    "UNLOCKED",
    "UNLOCKED_WITH_ITEM",
    "AchievementCatalog",
    "AchievementDefinition",
    "AchievementNotices",
    "AchievementProblem",
    "AchievementQueries",
    "AchievementRepository",
    "AchievementReward",
    "AchievementStatus",
    "AchievementStorage",
    "AchievementUnlocked",
    "Achievements",
    "AchievementsUnitOfWork",
    "AchievementsView",
    "EventLookup",
    "InvalidAchievementCatalogError",
    "Rule",
    "UserAchievement",
    "achievement_label",
    "check_achievements",
]
