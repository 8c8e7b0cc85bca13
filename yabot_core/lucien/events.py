"""Events about Lucien's messages."""

from typing import ClassVar

from yabot_core.kernel import Event, UserId


class LucienMessageSent(Event):
    """A scheduled message of Lucien reached its user."""

    event_type: ClassVar[str] = "lucien.message_sent"

    user_id: UserId
    key: str
