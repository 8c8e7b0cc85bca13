"""What the wallet needs from storage: a repository inside a unit of work, and read-only queries."""

from collections.abc import Sequence
from typing import Protocol

from yabot_core.kernel import IdempotencyKey, UnitOfWork, UserId
from yabot_core.wallet.models import Hold, LedgerEntry, LedgerMismatch, Wallet, WalletBalance, WalletStatement


class WalletRepository(Protocol):
    """Wallets, ledger entries and holds, read and written inside one transaction."""

    async def get(self, user_id: UserId) -> Wallet:
        """Return the user's wallet; a user with no entries has balance 0 and sequence 0."""
        ...

    async def entry_by_key(self, key: IdempotencyKey) -> LedgerEntry | None:
        """Return the entry posted with this idempotency key, if any."""
        ...

    async def append(self, entry: LedgerEntry) -> None:
        """Store ``entry`` and move the wallet to ``entry.balance_after`` and ``entry.sequence``.

        Raises:
            ConcurrentUpdateError: the wallet's sequence is no longer ``entry.sequence - 1``, or another
                transaction stored an entry with the same idempotency key first. Both are retried.
        """
        ...

    async def get_hold(self, hold_id: str) -> Hold | None:
        """Return the hold, or ``None``."""
        ...

    async def save_hold(self, hold: Hold) -> None:
        """Insert the hold, or replace it by id."""
        ...

    async def correct_balance(self, user_id: UserId, *, balance: int, sequence: int) -> bool:
        """Set the wallet's balance to ``balance`` (its ledger's sum) if it is still at ``sequence``.

        Only the reconciliation calls it, to repair a balance that drifted from its ledger; no entry is
        written (the ledger is already the truth). Return whether the wallet was still at ``sequence``.
        """
        ...


class WalletUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can reach wallets."""

    @property
    def wallets(self) -> WalletRepository:
        """The wallets of this transaction."""
        ...


class WalletQueries(Protocol):
    """Read-only views of wallets, outside any transaction (they see committed data only)."""

    async def balance(self, user_id: UserId) -> WalletBalance:
        """Return the spendable balance and the escrowed total; zeros for a user with no entries."""
        ...

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> WalletStatement:
        """Return the balance and a page of entries, newest first, from one snapshot."""
        ...

    async def circulation(self) -> int:
        """Every besito users own: the sum of all balances plus what auctions hold in escrow."""
        ...


class WalletAudit(Protocol):
    """Committed wallets checked against their ledgers, for the reconciliation (reads only)."""

    async def ledger_mismatches(self) -> Sequence[LedgerMismatch]:
        """Return every wallet whose balance differs from the sum of its entries, or is negative.

        A user with entries but no wallet counts too (balance 0). Read from one snapshot, by user id.
        """
        ...


class WalletStorage(Protocol):
    """What a storage backend offers the wallet besides its unit of work."""

    @property
    def wallet_queries(self) -> WalletQueries:
        """Committed balances and ledgers."""
        ...

    @property
    def wallet_audit(self) -> WalletAudit:
        """Balances against ledgers, for the reconciliation."""
        ...
