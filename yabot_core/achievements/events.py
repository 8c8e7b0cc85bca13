"""Events the logros publish; Lucien celebrates them, missions may count them."""

from typing import ClassVar

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId


class AchievementUnlocked(Event):
    """A fan met a logro's rule and was paid its reward, once (a logro unlocks once per fan)."""

    event_type: ClassVar[str] = "achievements.unlocked"

    user_id: UserId
    achievement_id: str
    besitos: int
    item_id: ItemId | None = None
    quantity: int = 0
