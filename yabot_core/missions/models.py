"""A fan's missions: progress in the current period, completions, and what /misiones shows."""

from datetime import datetime, tzinfo
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.kernel import UserId
from yabot_core.missions.content import MissionDefinition, MissionKind
from yabot_core.wallet import LedgerReason

MISSION_REWARD: Final = LedgerReason.define("mission_reward", "Misión cumplida")
"""The ledger reason of a mission's besitos; also the mochila's reason for its item."""

ONCE_PERIOD: Final = "unica"


def period_of(kind: MissionKind, moment: datetime, zone: tzinfo) -> str:
    """The period ``moment`` falls in for a mission of ``kind``: ``unica``, ``2026-01-31`` or ``2026-W05``."""
    if kind is MissionKind.ONCE:
        return ONCE_PERIOD
    local = moment.astimezone(zone).date()
    if kind is MissionKind.DAILY:
        return local.isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


class UserMission(BaseModel):
    """One fan's mission: progress in ``period`` (reset when a new one starts), and completions.

    Progress never exceeds the objective's count: reaching it completes the mission for the period
    (``completed_at``) and pays the reward once. ``version`` moves by one with each save, so storage refuses
    a stale write (a compare-and-set, as the mochila's lines).
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    mission_id: str
    source: str
    assigned_at: AwareDatetime
    period: str
    progress: int = Field(ge=0)
    completed_at: AwareDatetime | None = None
    completions: int = Field(default=0, ge=0)
    version: int = Field(ge=1)

    def in_period(self, period: str) -> "UserMission":
        """This mission as it stands in ``period``: progress starts again when a new period starts."""
        if period == self.period:
            return self
        return self.model_copy(update={"period": period, "progress": 0, "completed_at": None})


class MissionStatus(BaseModel):
    """One mission as the fan sees it now: its definition, progress out of the target, done or not."""

    model_config = ConfigDict(frozen=True)

    definition: MissionDefinition
    progress: int
    target: int
    completed: bool
    completions: int


class MissionsView(BaseModel):
    """A fan's missions: those under way and those done (in their current period), in catalog order."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    active: tuple[MissionStatus, ...]
    completed: tuple[MissionStatus, ...]
