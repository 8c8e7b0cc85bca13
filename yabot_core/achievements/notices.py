"""Lucien celebrates an unlocked logro with the fan."""

from typing import Final

from yabot_core.achievements.content import AchievementCatalog
from yabot_core.achievements.events import AchievementUnlocked
from yabot_core.inventory import ItemCatalog
from yabot_core.lucien import Lucien

UNLOCKED: Final = "achievements-unlocked"
UNLOCKED_WITH_ITEM: Final = "achievements-unlocked-with-item"


class AchievementNotices:
    """Tells the fan a logro is theirs and what it paid (at least once: a crash may rarely repeat it)."""

    def __init__(self, lucien: Lucien, achievements: AchievementCatalog, items: ItemCatalog) -> None:
        self._lucien = lucien
        self._achievements = achievements
        self._items = items

    async def on_achievement_unlocked(self, event: AchievementUnlocked) -> None:
        """Celebrate ``event``'s logro; one the creator has removed since is named by its id."""
        found = self._achievements.get(event.achievement_id)
        title = found.title if found is not None else event.achievement_id
        if event.item_id is not None:
            await self._lucien.say(
                event.user_id,
                UNLOCKED_WITH_ITEM,
                logro=title,
                besitos=event.besitos,
                objeto=self._items.name_of(event.item_id),
                cantidad=event.quantity,
            )
        else:
            await self._lucien.say(event.user_id, UNLOCKED, logro=title, besitos=event.besitos)
