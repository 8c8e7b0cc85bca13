"""Lucien's word to a fan whose right answer earned besitos (Telegram's quiz already shows right or wrong)."""

from typing import Final

from yabot_core.lucien import Lucien
from yabot_core.trivia.events import TriviaAnswered

REWARDED: Final = "trivia-rewarded"


class TriviaNotices:
    """Reacts to answers with Lucien's message (at least once, like every notice)."""

    def __init__(self, lucien: Lucien) -> None:
        self._lucien = lucien

    async def on_trivia_answered(self, event: TriviaAnswered) -> None:
        """Tell a rewarded fan how many besitos they earned; wrong or late answers stay silent."""
        if event.reward > 0:
            await self._lucien.say(event.user_id, REWARDED, cantidad=event.reward)
