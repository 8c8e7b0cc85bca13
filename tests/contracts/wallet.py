"""The wallet's storage on every backend: ledger appends, holds, balances and statements, under load."""

import asyncio
from datetime import timedelta
from typing import ClassVar

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, AUCTION_WIN, BOB, PURCHASE, make_entry
from tests.contracts.factory import StorageFactory
from tests.contracts.wallet_machine import run_wallet_machine
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, IdempotencyKey, SequentialIds, UserId
from yabot_core.wallet import (
    ADMIN_GRANT,
    Hold,
    HoldStatus,
    InsufficientBesitosError,
    LedgerEntry,
    LedgerMismatch,
    Wallet,
    WalletService,
)


class WalletContract(ContractBase):
    """What every backend's wallet slice must do. ``concurrency`` sizes the load test."""

    concurrency: ClassVar[int] = 1000
    stateful_examples: ClassVar[int] = 60

    @pytest.fixture(name="wallet")
    def wallet_fixture(self, storage: StorageBackend, clock: FakeClock) -> WalletService:
        return WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))

    async def test_circulation_counts_balances_and_holds(
        self, storage: StorageBackend, wallet: WalletService
    ) -> None:
        """Besitos in circulation: every balance plus what is held in escrow; a released hold counts once."""
        assert await storage.wallet_queries.circulation() == 0
        await wallet.credit(ALICE, 30, ADMIN_GRANT, idempotency_key="a")
        await wallet.credit(BOB, 12, ADMIN_GRANT, idempotency_key="b")
        hold = await wallet.hold(ALICE, 10, purpose=AUCTION_WIN, idempotency_key="h")
        assert await storage.wallet_queries.circulation() == 42
        await wallet.release(hold.hold_id)
        assert await storage.wallet_queries.circulation() == 42

    async def test_new_wallet_is_empty(self, storage: StorageBackend) -> None:
        """A user who never had besitos has balance 0 and sequence 0."""

        async def work(uow: StorageUnitOfWork) -> Wallet:
            return await uow.wallets.get(ALICE)

        assert await storage.transactions.run(work) == Wallet(user_id=ALICE, balance=0, sequence=0)

    async def test_append_moves_the_wallet_and_stores_the_entry(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Appending an entry stores it and moves the wallet to its balance and sequence."""

        async def work(uow: StorageUnitOfWork) -> LedgerEntry:
            first = make_entry(clock, await uow.wallets.get(ALICE), 10, "k1")
            await uow.wallets.append(first)
            second = make_entry(clock, await uow.wallets.get(ALICE), -4, "k2")
            await uow.wallets.append(second)
            return second

        second = await storage.transactions.run(work)

        async def check(uow: StorageUnitOfWork) -> tuple[Wallet, LedgerEntry | None, LedgerEntry | None]:
            return (
                await uow.wallets.get(ALICE),
                await uow.wallets.entry_by_key(IdempotencyKey("k2")),
                await uow.wallets.entry_by_key(IdempotencyKey("missing")),
            )

        wallet, found, missing = await storage.transactions.run(check)
        assert wallet == Wallet(user_id=ALICE, balance=6, sequence=2)
        assert found == second
        assert missing is None

    async def test_append_with_a_stale_sequence_is_a_concurrent_update(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """An entry whose sequence does not follow the stored wallet's is refused as a transient conflict."""

        async def first(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, Wallet(user_id=ALICE), 5, "a"))

        await storage.transactions.run(first)

        async def stale(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, Wallet(user_id=ALICE), 7, "b"))

        with pytest.raises(ConcurrentUpdateError):
            await storage.transactions.run(stale)
        assert (await storage.wallet_queries.balance(ALICE)).balance == 5

    async def test_a_reused_idempotency_key_is_a_concurrent_update(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Two entries with one idempotency key never both exist, even for different users."""

        async def first(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(ALICE), 5, "same", "e1"))

        await storage.transactions.run(first)

        async def second(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(BOB), 5, "same", "e2"))

        with pytest.raises(ConcurrentUpdateError):
            await storage.transactions.run(second)
        assert (await storage.wallet_queries.balance(BOB)).balance == 0

    async def test_holds_are_saved_and_replaced(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A hold is stored by id; saving it again replaces it."""
        hold = Hold(
            hold_id="h1",
            user_id=ALICE,
            amount=7,
            purpose=AUCTION_WIN,
            reference="subasta:1",
            created_at=clock.now(),
        )
        released = hold.model_copy(update={"status": HoldStatus.RELEASED, "settled_at": clock.now()})

        async def save(uow: StorageUnitOfWork) -> None:
            await uow.wallets.save_hold(hold)

        async def replace(uow: StorageUnitOfWork) -> None:
            await uow.wallets.save_hold(released)

        async def get(uow: StorageUnitOfWork) -> Hold | None:
            return await uow.wallets.get_hold("h1")

        await storage.transactions.run(save)
        assert await storage.transactions.run(get) == hold
        await storage.transactions.run(replace)
        assert await storage.transactions.run(get) == released

    async def test_balance_counts_only_open_holds(self, storage: StorageBackend, clock: FakeClock) -> None:
        """``held`` sums the user's holds that are still held; settled ones and other users' do not count."""

        def hold(hold_id: str, user: UserId, amount: int, status: HoldStatus) -> Hold:
            return Hold(
                hold_id=hold_id,
                user_id=user,
                amount=amount,
                purpose=PURCHASE,
                status=status,
                created_at=clock.now(),
            )

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(ALICE), 50, "k"))
            await uow.wallets.save_hold(hold("h1", ALICE, 5, HoldStatus.HELD))
            await uow.wallets.save_hold(hold("h2", ALICE, 7, HoldStatus.HELD))
            await uow.wallets.save_hold(hold("h3", ALICE, 11, HoldStatus.RELEASED))
            await uow.wallets.save_hold(hold("h4", ALICE, 13, HoldStatus.CAPTURED))
            await uow.wallets.save_hold(hold("h5", BOB, 17, HoldStatus.HELD))

        await storage.transactions.run(work)
        balance = await storage.wallet_queries.balance(ALICE)
        assert (balance.user_id, balance.balance, balance.held) == (ALICE, 50, 12)
        statement = await storage.wallet_queries.statement(ALICE, limit=10, offset=0)
        assert statement.balance == balance
        nobody = await storage.wallet_queries.balance(UserId(999))
        assert (nobody.balance, nobody.held) == (0, 0)

    async def test_statements_page_the_ledger_newest_first(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A statement returns the user's entries newest first, paged by limit and offset, with the total."""

        async def work(uow: StorageUnitOfWork) -> None:
            for n in range(1, 8):
                await uow.wallets.append(make_entry(clock, await uow.wallets.get(ALICE), n, f"a{n}"))
                clock.advance(timedelta(seconds=1))
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(BOB), 100, "b1"))

        await storage.transactions.run(work)
        first = (await storage.wallet_queries.statement(ALICE, limit=3, offset=0)).history
        assert [e.amount for e in first.entries] == [7, 6, 5]
        assert (first.total, first.limit, first.offset) == (7, 3, 0)
        last = (await storage.wallet_queries.statement(ALICE, limit=3, offset=6)).history
        assert [e.amount for e in last.entries] == [1]
        beyond = (await storage.wallet_queries.statement(ALICE, limit=3, offset=10)).history
        assert beyond.entries == ()
        assert beyond.total == 7
        assert [e.sequence for e in first.entries] == [7, 6, 5]
        assert first.entries[0].created_at == clock.now() - timedelta(seconds=1)

    async def test_wallet_service_end_to_end(self, wallet: WalletService) -> None:
        """Credit, debit, hold, release and capture keep balance, held and ledger consistent."""
        await wallet.credit(ALICE, 100, ADMIN_GRANT, idempotency_key="c1")
        await wallet.debit(ALICE, 30, PURCHASE, idempotency_key="d1")
        h1 = await wallet.hold(ALICE, 20, purpose=AUCTION_WIN, idempotency_key="h1")
        h2 = await wallet.hold(ALICE, 10, purpose=AUCTION_WIN, idempotency_key="h2")
        await wallet.release(h1.hold_id)
        await wallet.capture(h2.hold_id)
        with pytest.raises(InsufficientBesitosError):
            await wallet.debit(ALICE, 71, PURCHASE, idempotency_key="d2")
        statement = await wallet.statement(ALICE, limit=100)
        assert (statement.balance.balance, statement.balance.held) == (60, 0)
        assert sum(e.amount for e in statement.history.entries) == 60
        assert statement.history.total == 5

    async def test_concurrent_movements_lose_and_duplicate_nothing(self, wallet: WalletService) -> None:
        """Hundreds of concurrent credits and debits on one wallet, each sent twice, apply exactly once."""
        n = self.concurrency
        await wallet.credit(ALICE, 50, ADMIN_GRANT, idempotency_key="seed")

        async def move(i: int) -> int:
            try:
                if i % 2:
                    entry = await wallet.debit(ALICE, 3, PURCHASE, idempotency_key=f"m{i}")
                else:
                    entry = await wallet.credit(ALICE, 2, ADMIN_GRANT, idempotency_key=f"m{i}")
            except InsufficientBesitosError:
                return 0
            return entry.amount

        applied = await asyncio.gather(*(move(i) for i in range(n)), *(move(i) for i in range(n)))
        balance = await wallet.balance(ALICE)
        total = (await wallet.statement(ALICE, limit=1)).history.total
        entries = [e for offset in range(0, total, 100) for e in await _page(wallet, offset)]
        by_key = {e.idempotency_key: e for e in entries}
        assert len(by_key) == len(entries) == total, "an idempotency key was applied twice"
        for i in range(n):
            reported = {amount for amount in (applied[i], applied[n + i]) if amount != 0}
            entry = by_key.get(IdempotencyKey(f"m{i}"))
            assert reported == (set() if entry is None else {entry.amount}), f"movement m{i} lost or doubled"
        assert balance.balance >= 0
        assert balance.balance == sum(e.amount for e in entries)
        assert sorted(e.sequence for e in entries) == list(range(1, total + 1))

    def test_wallet_invariants_hold_for_any_sequence(self, storage_factory: StorageFactory) -> None:
        """Random movements, replays, reused keys and bad amounts never break the books (hypothesis)."""
        run_wallet_machine(storage_factory, examples=self.stateful_examples)


async def _page(wallet: WalletService, offset: int) -> tuple[LedgerEntry, ...]:
    return (await wallet.statement(ALICE, limit=100, offset=offset)).history.entries


class WalletAuditContract(ContractBase):
    """The reconciliation's view of wallets: drift from the ledger is found, and repaired only if unmoved."""

    async def test_a_drifted_balance_is_found_and_corrected(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A balance that is not its ledger's sum is reported; correcting it at its sequence clears it."""
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("a"))
        await wallet.credit(ALICE, 10, ADMIN_GRANT, idempotency_key="a1")
        await wallet.credit(BOB, 5, ADMIN_GRANT, idempotency_key="b1")
        assert await storage.wallet_audit.ledger_mismatches() == []

        async def drift(uow: StorageUnitOfWork) -> bool:
            return await uow.wallets.correct_balance(ALICE, balance=7, sequence=1)

        assert await storage.transactions.run(drift)
        found = await storage.wallet_audit.ledger_mismatches()
        assert found == [LedgerMismatch(user_id=ALICE, balance=7, ledger_sum=10, sequence=1)]

        async def stale(uow: StorageUnitOfWork) -> bool:
            return await uow.wallets.correct_balance(ALICE, balance=10, sequence=2)

        assert not await storage.transactions.run(stale)

        async def repair(uow: StorageUnitOfWork) -> bool:
            return await uow.wallets.correct_balance(ALICE, balance=10, sequence=1)

        assert await storage.transactions.run(repair)
        assert await storage.wallet_audit.ledger_mismatches() == []
        assert (await storage.wallet_queries.balance(ALICE)).balance == 10
