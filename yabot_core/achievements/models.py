"""A fan's logros: progress towards each, and when it unlocked."""

from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.achievements.content import AchievementDefinition
from yabot_core.kernel import UserId
from yabot_core.wallet import LedgerReason

ACHIEVEMENT_REWARD: Final = LedgerReason.define("achievement_reward", "Logro desbloqueado")
"""The ledger reason of a logro's besitos; also the mochila's reason for its item."""


class UserAchievement(BaseModel):
    """One fan's progress towards one logro; ``unlocked_at`` once reached (then it never moves again).

    ``version`` moves by one with each save, so storage refuses a stale write (a compare-and-set).
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    achievement_id: str
    progress: int = Field(ge=0)
    unlocked_at: AwareDatetime | None = None
    version: int = Field(ge=1)


class AchievementStatus(BaseModel):
    """One logro as the fan sees it: its definition, progress out of the target, unlocked or not."""

    model_config = ConfigDict(frozen=True)

    definition: AchievementDefinition
    progress: int
    target: int
    unlocked_at: AwareDatetime | None = None

    @property
    def unlocked(self) -> bool:
        """Whether the fan has it."""
        return self.unlocked_at is not None


class AchievementsView(BaseModel):
    """A fan's logros: those unlocked, and the next ones with their progress, in catalog order."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    unlocked: tuple[AchievementStatus, ...]
    upcoming: tuple[AchievementStatus, ...]
