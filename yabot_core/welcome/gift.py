"""The welcome gift: besitos for every newly registered user, once, however often the event arrives."""

from typing import Final

from yabot_core.kernel import system_key
from yabot_core.users import UserRegistered
from yabot_core.wallet import LedgerReason, WalletService

WELCOME_GIFT: Final = LedgerReason.define("welcome_gift", "Regalo de bienvenida")


class WelcomeGift:
    """Credits ``amount`` besitos to each new user, once: the key is ``yabot:welcome:<user>``."""

    def __init__(self, wallet: WalletService, amount: int) -> None:
        if amount < 0:
            msg = "the welcome gift cannot be negative"
            raise ValueError(msg)
        self._wallet = wallet
        self.amount = amount

    async def on_user_registered(self, event: UserRegistered) -> None:
        """Handle ``UserRegistered`` (at-least-once delivery is fine: the credit is idempotent)."""
        if self.amount == 0:
            return
        await self._wallet.credit(
            event.user_id, self.amount, WELCOME_GIFT, idempotency_key=system_key("welcome", event.user_id)
        )
