"""Administration from Telegram: who the admins are, their statistics, dead letters. Public API."""

from yabot_core.admin.dead_letters import (
    COUNT_CAP,
    REPLAY_ACTION,
    DeadLetterDesk,
    Replayer,
    dead_letter_target,
)
from yabot_core.admin.gate import REFUSED_ACTION, AdminGate
from yabot_core.admin.manifest import MANIFEST
from yabot_core.admin.statistics import Dashboard, Statistics

__all__ = [
    "COUNT_CAP",
    "MANIFEST",
    "REFUSED_ACTION",
    "REPLAY_ACTION",
    "AdminGate",
    "Dashboard",
    "DeadLetterDesk",
    "Replayer",
    "Statistics",
    "dead_letter_target",
]
