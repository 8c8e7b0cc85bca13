"""The outbid notice without buttons: Lucien's plain message, for a process with no bot of its own."""

from typing import Final

from yabot_core.auctions.notices import OutbidNotifier
from yabot_core.kernel import UserId
from yabot_core.lucien import Lucien

OUTBID_PLAIN: Final = "auctions-outbid-plain"


class LucienOutbidNotifier(OutbidNotifier):
    """Tells the outbid fan through Lucien, naming /subastas instead of a button."""

    def __init__(self, lucien: Lucien) -> None:
        self._lucien = lucien

    async def outbid(self, user_id: UserId, *, auction_id: str, item: str, amount: int, minimum: int) -> None:
        """Say it in Lucien's words; the fan finds the auction in /subastas."""
        del auction_id  # the plain notice names /subastas, which lists it
        await self._lucien.say(user_id, OUTBID_PLAIN, objeto=item, cantidad=amount, minimo=minimum)
