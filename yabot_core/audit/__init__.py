"""The audit log: who did what to whom and when, written with the action. Public API (import from here)."""

from yabot_core.audit.log import MAX_OFFSET, MAX_PAGE_SIZE, AuditLog
from yabot_core.audit.manifest import MANIFEST
from yabot_core.audit.models import (
    ACTION,
    MAX_ACTION_LENGTH,
    MAX_ACTOR_NAME_LENGTH,
    MAX_TARGET_LENGTH,
    Actor,
    ActorKind,
    AuditEntry,
    AuditPage,
    user_target,
)
from yabot_core.audit.ports import AuditQueries, AuditRepository, AuditStorage, AuditUnitOfWork

__all__ = [
    "ACTION",
    "MANIFEST",
    "MAX_ACTION_LENGTH",
    "MAX_ACTOR_NAME_LENGTH",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "MAX_TARGET_LENGTH",
    "Actor",
    "ActorKind",
    "AuditEntry",
    "AuditLog",
    "AuditPage",
    "AuditQueries",
    "AuditRepository",
    "AuditStorage",
    "AuditUnitOfWork",
    "user_target",
]
