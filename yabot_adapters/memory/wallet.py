"""Wallets, ledger entries and holds in memory: the wallet module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.wallet import (
    Hold,
    HoldStatus,
    LedgerEntry,
    LedgerMismatch,
    LedgerPage,
    Wallet,
    WalletAudit,
    WalletBalance,
    WalletQueries,
    WalletRepository,
    WalletStatement,
)


@dataclass
class WalletState:
    """Committed wallets, each user's ledger in sequence order, entries by key, and holds."""

    wallets: dict[UserId, Wallet] = field(default_factory=dict)
    entries: dict[UserId, list[LedgerEntry]] = field(default_factory=dict)
    entries_by_key: dict[IdempotencyKey, LedgerEntry] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)


class InMemoryWalletRepository(WalletRepository):
    """The wallet repository of one in-memory unit of work."""

    def __init__(self, state: WalletState) -> None:
        self._state = state
        self._wallets: dict[UserId, Wallet] = {}
        self._entries: list[LedgerEntry] = []
        self._holds: dict[str, Hold] = {}

    async def get(self, user_id: UserId) -> Wallet:
        staged = self._wallets.get(user_id) or self._state.wallets.get(user_id)
        return staged or Wallet(user_id=user_id)

    async def entry_by_key(self, key: IdempotencyKey) -> LedgerEntry | None:
        for entry in self._entries:
            if entry.idempotency_key == key:
                return entry
        return self._state.entries_by_key.get(key)

    async def append(self, entry: LedgerEntry) -> None:
        current = await self.get(entry.user_id)
        if current.sequence != entry.sequence - 1 or await self.entry_by_key(entry.idempotency_key):
            raise ConcurrentUpdateError
        self._entries.append(entry)
        self._wallets[entry.user_id] = Wallet(
            user_id=entry.user_id, balance=entry.balance_after, sequence=entry.sequence
        )

    async def get_hold(self, hold_id: str) -> Hold | None:
        return self._holds.get(hold_id) or self._state.holds.get(hold_id)

    async def save_hold(self, hold: Hold) -> None:
        self._holds[hold.hold_id] = hold

    async def correct_balance(self, user_id: UserId, *, balance: int, sequence: int) -> bool:
        current = await self.get(user_id)
        if current.sequence != sequence:
            return False
        self._wallets[user_id] = Wallet(user_id=user_id, balance=balance, sequence=sequence)
        return True

    def apply(self) -> None:
        self._state.wallets.update(self._wallets)
        for entry in self._entries:
            self._state.entries.setdefault(entry.user_id, []).append(entry)
            self._state.entries_by_key[entry.idempotency_key] = entry
        self._state.holds.update(self._holds)


class InMemoryWalletQueries(WalletQueries):
    """Balances and ledger pages from committed state (reads never await: each is one snapshot)."""

    def __init__(self, state: WalletState) -> None:
        self._state = state

    async def balance(self, user_id: UserId) -> WalletBalance:
        return self._balance(user_id)

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> WalletStatement:
        entries = self._state.entries.get(user_id, [])
        newest_first = islice(reversed(entries), offset, offset + limit)
        page = LedgerPage(entries=tuple(newest_first), total=len(entries), limit=limit, offset=offset)
        return WalletStatement(balance=self._balance(user_id), history=page)

    async def circulation(self) -> int:
        held = sum(hold.amount for hold in self._state.holds.values() if hold.status is HoldStatus.HELD)
        return sum(wallet.balance for wallet in self._state.wallets.values()) + held

    def _balance(self, user_id: UserId) -> WalletBalance:
        wallet = self._state.wallets.get(user_id)
        held = sum(
            hold.amount
            for hold in self._state.holds.values()
            if hold.user_id == user_id and hold.status is HoldStatus.HELD
        )
        return WalletBalance(user_id=user_id, balance=wallet.balance if wallet else 0, held=held)


class InMemoryWalletAudit(WalletAudit):
    """Balances against ledgers in committed state (one snapshot: nothing awaits in between)."""

    def __init__(self, state: WalletState) -> None:
        self._state = state

    async def ledger_mismatches(self) -> Sequence[LedgerMismatch]:
        found = []
        for user_id in sorted(self._state.wallets.keys() | self._state.entries.keys()):
            wallet = self._state.wallets.get(user_id) or Wallet(user_id=user_id)
            total = sum(entry.amount for entry in self._state.entries.get(user_id, ()))
            if wallet.balance != total or wallet.balance < 0:
                found.append(
                    LedgerMismatch(
                        user_id=user_id, balance=wallet.balance, ledger_sum=total, sequence=wallet.sequence
                    )
                )
        return found


SLICE = MemorySlice(
    name="wallets",
    state=WalletState,
    repository=InMemoryWalletRepository,
    queries={"wallet_queries": InMemoryWalletQueries, "wallet_audit": InMemoryWalletAudit},
)
