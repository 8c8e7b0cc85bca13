"""The besitos wallet: ledger, balance, escrow holds, Diana's grants. Public API; import from here only."""

from yabot_core.kernel import SystemKey, system_key
from yabot_core.wallet.errors import (
    HoldAlreadySettledError,
    HoldNotFoundError,
    InsufficientBesitos,
    InsufficientBesitosError,
    InvalidAmountError,
)
from yabot_core.wallet.events import BesitosAwarded, BesitosHeld, BesitosReleased, BesitosSpent, WalletEvent
from yabot_core.wallet.grants import BesitosGrants, Grant, GrantUnitOfWork
from yabot_core.wallet.manifest import MANIFEST
from yabot_core.wallet.models import (
    ADMIN_DEDUCTION,
    ADMIN_GRANT,
    ESCROW_HOLD,
    ESCROW_RELEASE,
    MAX_AMOUNT,
    MAX_BALANCE,
    Hold,
    HoldStatus,
    LedgerEntry,
    LedgerMismatch,
    LedgerPage,
    LedgerReason,
    Wallet,
    WalletBalance,
    WalletStatement,
)
from yabot_core.wallet.notices import GRANT_RECEIVED, GrantNotices
from yabot_core.wallet.ports import (
    WalletAudit,
    WalletQueries,
    WalletRepository,
    WalletStorage,
    WalletUnitOfWork,
)
from yabot_core.wallet.service import MAX_HISTORY_OFFSET, MAX_PAGE_SIZE, WalletService

__all__ = [
    "ADMIN_DEDUCTION",
    "ADMIN_GRANT",
    "ESCROW_HOLD",
    "ESCROW_RELEASE",
    "GRANT_RECEIVED",
    "MANIFEST",
    "MAX_AMOUNT",
    "MAX_BALANCE",
    "MAX_HISTORY_OFFSET",
    "MAX_PAGE_SIZE",
    "BesitosAwarded",
    "BesitosGrants",
    "BesitosHeld",
    "BesitosReleased",
    "BesitosSpent",
    "Grant",
    "GrantNotices",
    "GrantUnitOfWork",
    "Hold",
    "HoldAlreadySettledError",
    "HoldNotFoundError",
    "HoldStatus",
    "InsufficientBesitos",
    "InsufficientBesitosError",
    "InvalidAmountError",
    "LedgerEntry",
    "LedgerMismatch",
    "LedgerPage",
    "LedgerReason",
    "SystemKey",
    "Wallet",
    "WalletAudit",
    "WalletBalance",
    "WalletEvent",
    "WalletQueries",
    "WalletRepository",
    "WalletService",
    "WalletStatement",
    "WalletStorage",
    "WalletUnitOfWork",
    "system_key",
]
