"""Reactions: group reactions and post buttons pay a fan once per message, capped per day. Public API."""

from yabot_core.reactions.content import (
    MAX_BUTTONS,
    ReactionProblem,
    ReactionRules,
    SpecialReaction,
    check_reactions,
    checked_rules,
    default_rules,
)
from yabot_core.reactions.errors import InvalidReactionContentError, UnknownReactionButtonError
from yabot_core.reactions.events import ReactionDetected
from yabot_core.reactions.manifest import MANIFEST
from yabot_core.reactions.models import (
    REACTION_REWARD,
    PostReaction,
    ReactionDay,
    ReactionOutcome,
    ReactionSource,
)
from yabot_core.reactions.ports import (
    PostPublisher,
    ReactionQueries,
    ReactionRepository,
    ReactionStorage,
    ReactionsUnitOfWork,
)
from yabot_core.reactions.service import ReactionPosts, Reactions

__all__ = [
    "MANIFEST",
    "MAX_BUTTONS",
    "REACTION_REWARD",
    "InvalidReactionContentError",
    "PostPublisher",
    "PostReaction",
    "ReactionDay",
    "ReactionDetected",
    "ReactionOutcome",
    "ReactionPosts",
    "ReactionProblem",
    "ReactionQueries",
    "ReactionRepository",
    "ReactionRules",
    "ReactionSource",
    "ReactionStorage",
    "Reactions",
    "ReactionsUnitOfWork",
    "SpecialReaction",
    "UnknownReactionButtonError",
    "check_reactions",
    "checked_rules",
    "default_rules",
]
