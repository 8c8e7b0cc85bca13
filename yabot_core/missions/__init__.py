"""Missions: objectives counted from events, rewards paid once, Lucien's celebrations. Public API."""

from yabot_core.missions.content import (
    MANUAL,
    MAX_MISSION_ID_LENGTH,
    REGISTRATION,
    EventLookup,
    MissionCatalog,
    MissionDefinition,
    MissionKind,
    MissionProblem,
    Objective,
    Reward,
    check_missions,
    mission_label,
)
from yabot_core.missions.errors import InvalidMissionCatalogError, UnknownMissionError
from yabot_core.missions.events import MissionAssigned, MissionCompleted
from yabot_core.missions.manifest import MANIFEST, MISSIONS_WRITE
from yabot_core.missions.models import (
    MISSION_REWARD,
    ONCE_PERIOD,
    MissionStatus,
    MissionsView,
    UserMission,
    period_of,
)
from yabot_core.missions.notices import COMPLETED, COMPLETED_WITH_ITEM, MissionNotices
from yabot_core.missions.ports import MissionQueries, MissionRepository, MissionStorage, MissionsUnitOfWork
from yabot_core.missions.service import ADMIN_SOURCE, MissionExpiredError, Missions

__all__ = [
    "ADMIN_SOURCE",
    "COMPLETED",
    "COMPLETED_WITH_ITEM",
    "MANIFEST",
    "MANUAL",
    "MAX_MISSION_ID_LENGTH",
    "MISSIONS_WRITE",
    "MISSION_REWARD",
    "ONCE_PERIOD",
    "REGISTRATION",
    "EventLookup",
    "InvalidMissionCatalogError",
    "MissionAssigned",
    "MissionCatalog",
    "MissionCompleted",
    "MissionDefinition",
    "MissionExpiredError",
    "MissionKind",
    "MissionNotices",
    "MissionProblem",
    "MissionQueries",
    "MissionRepository",
    "MissionStatus",
    "MissionStorage",
    "Missions",
    "MissionsUnitOfWork",
    "MissionsView",
    "Objective",
    "Reward",
    "UnknownMissionError",
    "UserMission",
    "check_missions",
    "mission_label",
    "period_of",
]
