"""Events the wallet publishes; other modules (missions, achievements, notifications) react to them."""

from typing import ClassVar

from yabot_core.kernel import Event, UserId
from yabot_core.wallet.models import LedgerReason


class WalletEvent(Event):
    """Base of the wallet's events: they always concern one user."""

    user_id: UserId
    amount: int
    balance_after: int


class BesitosAwarded(WalletEvent):
    """Besitos were credited (``amount`` > 0)."""

    event_type: ClassVar[str] = "besitos.awarded"

    reason: LedgerReason
    entry_id: str
    note: str | None = None


class BesitosSpent(WalletEvent):
    """Besitos left the user for good: a debit, or a captured hold (``entry_id`` is then the hold's entry)."""

    event_type: ClassVar[str] = "besitos.spent"

    reason: LedgerReason
    entry_id: str
    note: str | None = None


class BesitosHeld(WalletEvent):
    """Besitos were set aside in escrow."""

    event_type: ClassVar[str] = "besitos.held"

    hold_id: str
    reference: str | None = None


class BesitosReleased(WalletEvent):
    """An escrow hold was given back to the user."""

    event_type: ClassVar[str] = "besitos.released"

    hold_id: str
    entry_id: str
