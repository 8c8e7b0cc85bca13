"""Events the daily gift publishes; missions, achievements and Lucien's reminders react to them."""

from datetime import date
from typing import ClassVar

from yabot_core.inventory import ItemId
from yabot_core.kernel import Event, UserId


class DailyGiftClaimed(Event):
    """A fan claimed the day's gift: ``besitos`` in all (streak and surprise), perhaps an item too."""

    event_type: ClassVar[str] = "daily_gift.claimed"

    user_id: UserId
    day: date
    streak: int
    besitos: int
    gift_id: str | None = None
    item_id: ItemId | None = None
    quantity: int = 0
