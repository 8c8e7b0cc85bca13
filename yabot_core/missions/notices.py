"""Lucien celebrates a completed mission with the fan."""

from typing import Final

from yabot_core.inventory import ItemCatalog
from yabot_core.lucien import Lucien
from yabot_core.missions.content import MissionCatalog
from yabot_core.missions.events import MissionCompleted

COMPLETED: Final = "missions-completed"
COMPLETED_WITH_ITEM: Final = "missions-completed-with-item"


class MissionNotices:
    """Tells the fan a mission is done and what it paid (at least once: a crash may rarely repeat it)."""

    def __init__(self, lucien: Lucien, missions: MissionCatalog, items: ItemCatalog) -> None:
        self._lucien = lucien
        self._missions = missions
        self._items = items

    async def on_mission_completed(self, event: MissionCompleted) -> None:
        """Celebrate ``event``'s mission; one the creator has removed since is named by its id."""
        found = self._missions.get(event.mission_id)
        title = found.title if found is not None else event.mission_id
        if event.item_id is not None:
            await self._lucien.say(
                event.user_id,
                COMPLETED_WITH_ITEM,
                mision=title,
                besitos=event.besitos,
                objeto=self._items.name_of(event.item_id),
                cantidad=event.quantity,
            )
        else:
            await self._lucien.say(event.user_id, COMPLETED, mision=title, besitos=event.besitos)
