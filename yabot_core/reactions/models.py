"""A fan's reaction to one message, and how many reactions paid on one day."""

from datetime import date
from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.kernel import UserId
from yabot_core.wallet import LedgerReason

REACTION_REWARD: Final = LedgerReason.define("reaction_reward", "Reacción a una publicación")
"""The ledger reason of a reaction's besitos; also the mochila's reason for a special reaction's pista."""


class ReactionSource(StrEnum):
    """Where a reaction came from: a group's ``message_reaction`` or a button under a channel post."""

    GROUP = "grupo"
    CHANNEL = "canal"


class PostReaction(BaseModel):
    """One fan's reaction to one message: what it is now (``None``: removed) and what its first one paid.

    Created by the fan's first reaction and never deleted, so changing or removing it (and reacting again)
    finds it and pays nothing more. ``version`` moves by one with each save (a compare-and-set).
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    chat_id: int
    message_id: int
    emoji: str | None
    source: ReactionSource
    first_at: AwareDatetime
    besitos: int = Field(ge=0)
    version: int = Field(ge=1)
    press: str | None = Field(default=None, max_length=128)
    """The last button press applied to it (Telegram's callback query id): the same press delivered again,
    as Telegram does after a crash, finds itself here and changes nothing."""


class ReactionDay(BaseModel):
    """How many reactions of a fan paid on ``day`` (the day's cap counts these)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    day: date
    paid: int = Field(ge=0)
    version: int = Field(ge=1)


class ReactionOutcome(BaseModel):
    """What one reaction did: whether it was the fan's first to the message, and what it paid."""

    model_config = ConfigDict(frozen=True)

    first: bool
    emoji: str | None
    besitos: int = 0
    item_id: str | None = None
    quantity: int = 0
    capped: bool = False
