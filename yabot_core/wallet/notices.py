"""Telling fans about besitos Diana sent them, in Lucien's voice."""

from typing import Final

from yabot_core.lucien import Lucien
from yabot_core.wallet.events import BesitosAwarded
from yabot_core.wallet.models import ADMIN_GRANT

GRANT_RECEIVED: Final = "wallet-grant-received"
GRANT_RECEIVED_WITH_NOTE: Final = "wallet-grant-received-with-note"


class GrantNotices:
    """Announces Diana's grants (operator credits) to the fan; other credits stay silent.

    Delivery is at least once, so after a crash a fan may rarely hear the same news twice: Telegram offers no
    way to make a message idempotent.
    """

    def __init__(self, lucien: Lucien) -> None:
        self._lucien = lucien

    async def on_besitos_awarded(self, event: BesitosAwarded) -> None:
        """Tell the fan about an operator grant, with the note Diana wrote and their new balance."""
        if event.reason != ADMIN_GRANT:
            return
        if event.note:
            await self._lucien.say(
                event.user_id,
                GRANT_RECEIVED_WITH_NOTE,
                cantidad=event.amount,
                nota=event.note,
                saldo=event.balance_after,
            )
        else:
            await self._lucien.say(
                event.user_id, GRANT_RECEIVED, cantidad=event.amount, saldo=event.balance_after
            )
