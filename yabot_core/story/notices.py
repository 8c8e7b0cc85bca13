"""Lucien tells a fan waiting at a VIP gate, the moment they become VIP, that the story goes on."""

from typing import Final

from yabot_core.lucien import Lucien
from yabot_core.story.content import vip_gated
from yabot_core.story.models import ChoiceState
from yabot_core.story.service import Narrative
from yabot_core.subscriptions import SubscriptionStarted

VIP_CAN_CONTINUE: Final = "story-vip-can-continue"
"""Lucien's text (``historia``: the story's title; ``pasaje``: the fragment's)."""


class StoryVipNotices:
    """Lucien's word to a fan who just became VIP while waiting at a VIP-only choice.

    Each unfinished story whose current fragment has a VIP-gated choice now open gets one message
    (at-least-once delivery: rarely, a fan may hear it twice). The event is the proof of VIP: the scene is
    judged as a VIP's, so a grant made by another process is told even before this one's VIP memory (a few
    seconds) has seen it.
    """

    def __init__(self, narrative: Narrative, lucien: Lucien) -> None:
        self._narrative = narrative
        self._lucien = lucien

    async def on_subscription_started(self, event: SubscriptionStarted) -> None:
        """Handle ``SubscriptionStarted``."""
        for progress in await self._narrative.stories_of(event.user_id):
            story = self._narrative.library.get(progress.story_id)
            if story is None or progress.completed or story.get(progress.current) is None:
                continue
            scene = await self._narrative.scene(event.user_id, story.id, known_vip=True)
            if any(
                view.state is ChoiceState.OPEN and vip_gated(view.choice, story) for view in scene.choices
            ):
                await self._lucien.say(
                    event.user_id, VIP_CAN_CONTINUE, historia=story.header.title, pasaje=scene.fragment.title
                )
