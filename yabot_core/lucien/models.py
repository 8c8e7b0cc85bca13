"""A message of Lucien to one user: what to say, when, and what became of it."""

from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from yabot_core.kernel import UserId

MAX_TEXT: Final = 3500
"""An operator's text, leaving room under Telegram's 4096 characters for what its variables add."""


class MessageState(StrEnum):
    """Where a message is: waiting for its time, being sent, or done one way or another."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class LucienMessage(BaseModel):
    """What Lucien will say (or said) to a user.

    Either ``message_id`` (a text of the catalog, which the creator may have reworded) or ``text`` (an
    operator's own words, which may use the same variables): rendered when it is sent, with the user's
    context at that moment.
    """

    model_config = ConfigDict(frozen=True)

    key: str
    user_id: UserId
    message_id: str | None = None
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    args: dict[str, JsonValue] = Field(default_factory=dict)
    due_at: AwareDatetime
    state: MessageState = MessageState.SCHEDULED
    created_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    note: str | None = None
