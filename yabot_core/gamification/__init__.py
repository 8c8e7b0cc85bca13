"""Gamification: the besitos wallet and what rewards users. Public API; other code imports from here only."""

from yabot_core.gamification.wallet.errors import (
    HoldAlreadySettledError,
    HoldNotFoundError,
    InsufficientBesitos,
    InsufficientBesitosError,
    InvalidAmountError,
)
from yabot_core.gamification.wallet.events import (
    BesitosAwarded,
    BesitosHeld,
    BesitosReleased,
    BesitosSpent,
    WalletEvent,
)
from yabot_core.gamification.wallet.models import (
    MAX_AMOUNT,
    MAX_BALANCE,
    Hold,
    HoldStatus,
    LedgerEntry,
    LedgerPage,
    LedgerReason,
    Wallet,
    WalletBalance,
)
from yabot_core.gamification.wallet.ports import WalletQueries, WalletRepository, WalletUnitOfWork
from yabot_core.gamification.wallet.service import MAX_HISTORY_OFFSET, MAX_PAGE_SIZE, WalletService
from yabot_core.gamification.welcome import WelcomeGift

__all__ = [
    "MAX_AMOUNT",
    "MAX_BALANCE",
    "MAX_HISTORY_OFFSET",
    "MAX_PAGE_SIZE",
    "BesitosAwarded",
    "BesitosHeld",
    "BesitosReleased",
    "BesitosSpent",
    "Hold",
    "HoldAlreadySettledError",
    "HoldNotFoundError",
    "HoldStatus",
    "InsufficientBesitos",
    "InsufficientBesitosError",
    "InvalidAmountError",
    "LedgerEntry",
    "LedgerPage",
    "LedgerReason",
    "Wallet",
    "WalletBalance",
    "WalletEvent",
    "WalletQueries",
    "WalletRepository",
    "WalletService",
    "WalletUnitOfWork",
    "WelcomeGift",
]
