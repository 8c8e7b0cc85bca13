"""Events the reactions publish; missions and logros count them."""

from typing import ClassVar

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId


class ReactionDetected(Event):
    """A fan reacted to a message for the first time (``source``: ``grupo`` or ``canal``).

    Published once per (fan, message), whatever the fan changes or removes later; ``besitos`` is what the
    reaction paid (0 once the day's cap is reached), ``item_id`` the pista a special reaction gave.
    """

    event_type: ClassVar[str] = "reactions.detected"

    user_id: UserId
    chat_id: int
    message_id: int
    emoji: str
    source: str
    besitos: int
    item_id: ItemId | None = None
    quantity: int = 0
