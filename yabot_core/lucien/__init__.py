"""Lucien's voice: messages to users now or later, notices, admin alerts. Public API (import from here)."""

from yabot_core.lucien.errors import (
    DeliveryUncertainError,
    InvalidMessageTextError,
    LucienMessageNotFoundError,
    MessageAlreadySentError,
    RecipientUnreachableError,
)
from yabot_core.lucien.events import LucienMessageSent
from yabot_core.lucien.manifest import MANIFEST
from yabot_core.lucien.models import MAX_TEXT, LucienMessage, MessageState
from yabot_core.lucien.ports import (
    LucienQueries,
    LucienRepository,
    LucienStorage,
    LucienUnitOfWork,
    Messenger,
    ProtectionRule,
    UserContext,
)
from yabot_core.lucien.service import MESSAGE_TIMER, NAME, Lucien

__all__ = [
    "MANIFEST",
    "MAX_TEXT",
    "MESSAGE_TIMER",
    "NAME",
    "DeliveryUncertainError",
    "InvalidMessageTextError",
    "Lucien",
    "LucienMessage",
    "LucienMessageNotFoundError",
    "LucienMessageSent",
    "LucienQueries",
    "LucienRepository",
    "LucienStorage",
    "LucienUnitOfWork",
    "MessageAlreadySentError",
    "MessageState",
    "Messenger",
    "ProtectionRule",
    "RecipientUnreachableError",
    "UserContext",
]
