"""Events the missions publish; Lucien celebrates completions, achievements may count them."""

from typing import ClassVar

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId


class MissionAssigned(Event):
    """A mission became the fan's (``source``: ``registro``, an event type, or ``admin``)."""

    event_type: ClassVar[str] = "missions.assigned"

    user_id: UserId
    mission_id: str
    source: str


class MissionCompleted(Event):
    """A fan met a mission's objective in ``period`` and was paid its reward, once."""

    event_type: ClassVar[str] = "missions.completed"

    user_id: UserId
    mission_id: str
    period: str
    besitos: int
    item_id: ItemId | None = None
    quantity: int = 0
