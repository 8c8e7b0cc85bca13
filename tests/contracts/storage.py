"""The storage contract: what every StorageBackend must do. Each adapter's test module subclasses it.

A subclass supplies one fixture, ``storage_factory``: a callable taking the clock and returning an async
context manager that yields a fresh, opened, empty backend and closes it on exit.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import ClassVar

import pytest

from tests.contracts.factory import StorageFactory
from tests.contracts.wallet_machine import run_wallet_machine
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.gamification import (
    BesitosAwarded,
    Hold,
    HoldStatus,
    InsufficientBesitosError,
    LedgerEntry,
    LedgerReason,
    Wallet,
    WalletService,
)
from yabot_core.kernel import (
    ConcurrentUpdateError,
    CorrelationId,
    DeadLetter,
    EventId,
    FakeClock,
    IdempotencyKey,
    SequentialIds,
    UserId,
    correlation_scope,
    parse_event,
)
from yabot_core.users import User, UserDirectory, UserProfile, UserRegistered, UserSource

ALICE = UserId(1001)
BOB = UserId(1002)


class BoomError(Exception):
    """Raised by a unit of work on purpose, to prove nothing of it is kept."""


def make_entry(
    clock: FakeClock, wallet: Wallet, amount: int, key: str, entry_id: str | None = None
) -> LedgerEntry:
    return wallet.post(
        amount,
        entry_id=entry_id or f"e-{key}",
        reason=LedgerReason.ADMIN_GRANT if amount > 0 else LedgerReason.PURCHASE,
        idempotency_key=IdempotencyKey(key),
        correlation_id=CorrelationId("corr"),
        created_at=clock.now(),
    )


def make_user(clock: FakeClock, user_id: UserId = ALICE, name: str = "Alicia") -> User:
    return User(
        user_id=user_id,
        first_name=name,
        source=UserSource.TELEGRAM,
        registered_at=clock.now(),
        updated_at=clock.now(),
    )


def make_dead_letter(clock: FakeClock, letter_id: str, *, minutes: int = 0) -> DeadLetter:
    return DeadLetter(
        dead_letter_id=letter_id,
        event_id=EventId(f"ev-{letter_id}"),
        event_type="besitos.awarded",
        payload="{}",
        user_id=ALICE,
        handler="tests.handler",
        error="RuntimeError: boom",
        attempts=3,
        failed_at=clock.now() + timedelta(minutes=minutes),
    )


class StorageContract:
    """Behaviour every storage backend shares. Subclasses provide ``storage_factory``."""

    concurrency: ClassVar[int] = 1000
    stateful_examples: ClassVar[int] = 60

    @pytest.fixture(name="storage")
    async def storage_fixture(
        self, storage_factory: StorageFactory, clock: FakeClock
    ) -> AsyncIterator[StorageBackend]:
        async with storage_factory(clock) as storage:
            yield storage

    @pytest.fixture(name="wallet")
    def wallet_fixture(self, storage: StorageBackend, clock: FakeClock) -> WalletService:
        return WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))

    # --- units of work --------------------------------------------------------------------------------

    async def test_new_wallet_is_empty(self, storage: StorageBackend) -> None:
        """A user who never had besitos has balance 0 and sequence 0."""

        async def work(uow: StorageUnitOfWork) -> Wallet:
            return await uow.wallets.get(ALICE)

        wallet = await storage.transactions.run(work)
        assert wallet == Wallet(user_id=ALICE, balance=0, sequence=0)

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
        balance = await storage.wallet_queries.balance(ALICE)
        assert balance.balance == 5

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

    async def test_failed_work_leaves_nothing_behind(self, storage: StorageBackend, clock: FakeClock) -> None:
        """When the work raises, none of its writes or events are kept, and the error propagates unchanged."""
        event = BesitosAwarded(
            event_id=EventId("ev-1"),
            occurred_at=clock.now(),
            correlation_id=CorrelationId("c"),
            user_id=ALICE,
            amount=5,
            balance_after=5,
            reason=LedgerReason.ADMIN_GRANT,
            entry_id="e-k",
        )

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(ALICE), 5, "k"))
            await uow.wallets.save_hold(
                Hold(
                    hold_id="h",
                    user_id=ALICE,
                    amount=1,
                    purpose=LedgerReason.PURCHASE,
                    created_at=clock.now(),
                )
            )
            await uow.users.save(make_user(clock))
            await uow.dead_letters.save(make_dead_letter(clock, "dl"))
            uow.record(event)
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)

        async def check(uow: StorageUnitOfWork) -> tuple[object, ...]:
            return (
                await uow.wallets.get(ALICE),
                await uow.wallets.entry_by_key(IdempotencyKey("k")),
                await uow.wallets.get_hold("h"),
                await uow.users.get(ALICE),
                await uow.dead_letters.get("dl"),
            )

        assert await storage.transactions.run(check) == (Wallet(user_id=ALICE), None, None, None, None)
        assert await storage.outbox.pending(10) == []
        assert (await storage.wallet_queries.history(ALICE, limit=10, offset=0)).total == 0

    async def test_units_of_work_do_not_nest(self, storage: StorageBackend) -> None:
        """Running a unit of work inside another is a programming error, reported at once."""

        async def inner(uow: StorageUnitOfWork) -> None:
            return None

        async def outer(uow: StorageUnitOfWork) -> None:
            await storage.transactions.run(inner)

        with pytest.raises(RuntimeError):
            await storage.transactions.run(outer)

    async def test_works_see_their_callers_context(
        self, storage: StorageBackend, wallet: WalletService
    ) -> None:
        """A work runs in its caller's context: its events carry the caller's correlation id."""
        callers = []
        for key in ("update-1", "update-2"):
            with correlation_scope(CorrelationId(key)):
                credit = wallet.credit(ALICE, 1, LedgerReason.ADMIN_GRANT, idempotency_key=key)
                callers.append(asyncio.create_task(credit))
        await asyncio.gather(*callers)
        records = await storage.outbox.pending(10)
        assert sorted(parse_event(r.payload).correlation_id for r in records) == ["update-1", "update-2"]

    async def test_holds_are_saved_and_replaced(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A hold is stored by id; saving it again replaces it."""
        hold = Hold(
            hold_id="h1",
            user_id=ALICE,
            amount=7,
            purpose=LedgerReason.AUCTION_WIN,
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

    async def test_users_are_saved_and_replaced(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A user is stored by id, replaced on save, and visible to the read model after commit."""
        alice = make_user(clock)
        renamed = alice.model_copy(update={"first_name": "Alice", "username": "alice"})

        async def save(uow: StorageUnitOfWork) -> None:
            await uow.users.save(alice)

        async def replace(uow: StorageUnitOfWork) -> None:
            await uow.users.save(renamed)

        await storage.transactions.run(save)
        assert await storage.user_queries.get(ALICE) == alice
        await storage.transactions.run(replace)
        assert await storage.user_queries.get(ALICE) == renamed
        assert await storage.user_queries.get(BOB) is None

    async def test_users_keep_when_they_blocked_the_bot(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """``blocked_at`` is stored, read back as the same instant, and cleared by a replacement."""
        blocked = make_user(clock).model_copy(update={"blocked_at": clock.now() + timedelta(minutes=5)})
        reachable = blocked.model_copy(update={"blocked_at": None})

        async def save(user: User) -> None:
            async def work(uow: StorageUnitOfWork) -> None:
                await uow.users.save(user)

            await storage.transactions.run(work)

        await save(blocked)
        assert await storage.user_queries.get(ALICE) == blocked
        await save(reachable)
        assert await storage.user_queries.get(ALICE) == reachable

    async def test_blocking_the_bot_marks_known_users_only(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A known user who blocks is marked unreachable and back; a stranger who blocks stays unknown."""
        directory = UserDirectory(storage.transactions, storage.user_queries, clock, SequentialIds("u"))
        await directory.register(UserProfile(user_id=ALICE, first_name="Alicia"))
        clock.advance(timedelta(hours=1))

        blocked = await directory.mark_unreachable(ALICE)
        assert blocked is not None
        assert blocked.blocked_at == clock.now()
        assert await storage.user_queries.get(ALICE) == blocked
        assert await directory.mark_unreachable(BOB) is None
        assert await directory.mark_reachable(BOB) is None
        assert await storage.user_queries.get(BOB) is None

        clock.advance(timedelta(hours=1))
        unblocked = await directory.mark_reachable(ALICE)
        assert unblocked is not None
        assert unblocked.reachable
        assert await storage.user_queries.get(ALICE) == unblocked
        events = [record.event_type for record in await storage.outbox.pending(10)]
        assert events == [UserRegistered.event_type]  # blocking publishes nothing, strangers get no gift

    # --- read models ----------------------------------------------------------------------------------

    async def test_balance_counts_only_open_holds(self, storage: StorageBackend, clock: FakeClock) -> None:
        """``held`` sums the user's holds that are still held; settled ones and other users' do not count."""

        def hold(hold_id: str, user: UserId, amount: int, status: HoldStatus) -> Hold:
            return Hold(
                hold_id=hold_id,
                user_id=user,
                amount=amount,
                purpose=LedgerReason.PURCHASE,
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
        nobody = await storage.wallet_queries.balance(UserId(999))
        assert (nobody.balance, nobody.held) == (0, 0)

    async def test_history_is_paged_newest_first(self, storage: StorageBackend, clock: FakeClock) -> None:
        """History returns the user's entries newest first, paged by limit and offset, with the total."""

        async def work(uow: StorageUnitOfWork) -> None:
            for n in range(1, 8):
                await uow.wallets.append(make_entry(clock, await uow.wallets.get(ALICE), n, f"a{n}"))
                clock.advance(timedelta(seconds=1))
            await uow.wallets.append(make_entry(clock, await uow.wallets.get(BOB), 100, "b1"))

        await storage.transactions.run(work)
        first = await storage.wallet_queries.history(ALICE, limit=3, offset=0)
        assert [e.amount for e in first.entries] == [7, 6, 5]
        assert (first.total, first.limit, first.offset) == (7, 3, 0)
        last = await storage.wallet_queries.history(ALICE, limit=3, offset=6)
        assert [e.amount for e in last.entries] == [1]
        beyond = await storage.wallet_queries.history(ALICE, limit=3, offset=10)
        assert beyond.entries == ()
        assert beyond.total == 7
        assert [e.sequence for e in first.entries] == [7, 6, 5]
        assert first.entries[0].created_at == clock.now() - timedelta(seconds=1)

    # --- the outbox -----------------------------------------------------------------------------------

    async def test_recorded_events_reach_the_outbox_in_commit_order(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Events commit with their unit of work; each user's records come out in commit order."""
        directory = UserDirectory(storage.transactions, storage.user_queries, clock, SequentialIds("u"))
        for n in range(5):
            await directory.register(UserProfile(user_id=UserId(2000 + n), first_name=f"n{n}"))
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
        for n in range(4):
            await wallet.credit(ALICE, n + 1, LedgerReason.ADMIN_GRANT, idempotency_key=f"c{n}")

        records = await storage.outbox.pending(100)
        assert len(records) == 9
        alice = [r for r in records if r.user_id == ALICE]
        assert [parse_event(r.payload).amount for r in alice] == [1, 2, 3, 4]  # type: ignore[attr-defined]
        assert [r.position for r in alice] == sorted(r.position for r in alice)
        registered = [parse_event(r.payload) for r in records if r.event_type == UserRegistered.event_type]
        assert sorted(e.user_id for e in registered if e.user_id is not None) == [
            2000,
            2001,
            2002,
            2003,
            2004,
        ]
        assert all(r.handled_by == frozenset() for r in records)
        assert all(r.created_at == clock.now() for r in records)

    async def test_pending_respects_the_limit_and_forgets_delivered_records(
        self, storage: StorageBackend, clock: FakeClock, wallet: WalletService
    ) -> None:
        """``pending`` returns at most ``limit`` oldest records; delivered ones never come back."""
        for n in range(5):
            await wallet.credit(ALICE, 1, LedgerReason.ADMIN_GRANT, idempotency_key=f"k{n}")
        first_two = await storage.outbox.pending(2)
        assert len(first_two) == 2
        everything = await storage.outbox.pending(100)
        assert [r.event_id for r in everything[:2]] == [r.event_id for r in first_two]
        for record in first_two:
            await storage.outbox.mark_delivered(record.event_id)
            await storage.outbox.mark_delivered(record.event_id)  # idempotent
        remaining = await storage.outbox.pending(100)
        assert [r.event_id for r in remaining] == [r.event_id for r in everything[2:]]

    async def test_mark_handled_is_remembered(self, storage: StorageBackend, wallet: WalletService) -> None:
        """Handlers marked done on a record are reported with it, each once."""
        await wallet.credit(ALICE, 1, LedgerReason.ADMIN_GRANT, idempotency_key="k")
        (record,) = await storage.outbox.pending(10)
        await storage.outbox.mark_handled(record.event_id, "a")
        await storage.outbox.mark_handled(record.event_id, "b")
        await storage.outbox.mark_handled(record.event_id, "a")
        (again,) = await storage.outbox.pending(10)
        assert again.handled_by == frozenset({"a", "b"})
        assert again.payload == record.payload

    async def test_commit_listeners_hear_commits_with_events(
        self, storage: StorageBackend, wallet: WalletService
    ) -> None:
        """Listeners are called after a commit that recorded events, and not for one that did not."""
        calls: list[int] = []
        storage.add_commit_listener(lambda: calls.append(1))

        async def nothing(uow: StorageUnitOfWork) -> None:
            await uow.wallets.get(ALICE)

        await storage.transactions.run(nothing)
        assert calls == []
        await wallet.credit(ALICE, 1, LedgerReason.ADMIN_GRANT, idempotency_key="k")
        assert calls == [1]

    async def test_leases_are_exclusive_until_they_expire(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """One owner holds a lease until it expires or is released; the holder may renew it."""
        now = clock.now()
        later = now + timedelta(seconds=10)
        outbox = storage.outbox
        assert await outbox.acquire_lease("relay", "a", now, later)
        assert not await outbox.acquire_lease("relay", "b", now, later)
        assert await outbox.acquire_lease(
            "relay", "a", now + timedelta(seconds=5), later + timedelta(seconds=5)
        )
        assert not await outbox.acquire_lease("relay", "b", later, later + timedelta(seconds=10))
        assert await outbox.acquire_lease("other", "b", now, later)
        expired = later + timedelta(seconds=6)
        assert await outbox.acquire_lease("relay", "b", expired, expired + timedelta(seconds=10))
        await outbox.release_lease("relay", "a")  # not the holder: no effect
        assert not await outbox.acquire_lease("relay", "a", expired, expired + timedelta(seconds=10))
        await outbox.release_lease("relay", "b")
        assert await outbox.acquire_lease("relay", "a", expired, expired + timedelta(seconds=10))

    async def test_only_one_of_many_contenders_takes_a_lease(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Contenders racing for a free lease: exactly one wins."""
        now = clock.now()
        won = await asyncio.gather(
            *(
                storage.outbox.acquire_lease("race", f"o{n}", now, now + timedelta(seconds=5))
                for n in range(20)
            )
        )
        assert sum(won) == 1

    # --- dead letters ---------------------------------------------------------------------------------

    async def test_dead_letters_are_listed_newest_first(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Dead letters list newest failure first; replayed ones only on request; get finds by id."""
        old = make_dead_letter(clock, "old", minutes=0)
        new = make_dead_letter(clock, "new", minutes=5)
        replayed = make_dead_letter(clock, "done", minutes=9).model_copy(update={"replayed_at": clock.now()})

        async def work(uow: StorageUnitOfWork) -> None:
            for letter in (old, new, replayed):
                await uow.dead_letters.save(letter)

        await storage.transactions.run(work)
        queries = storage.dead_letter_queries
        assert [d.dead_letter_id for d in await queries.list()] == ["new", "old"]
        assert [d.dead_letter_id for d in await queries.list(include_replayed=True)] == ["done", "new", "old"]
        assert [d.dead_letter_id for d in await queries.list(limit=1)] == ["new"]
        assert await queries.get("new") == new
        assert await queries.get("nope") is None

        async def replace(uow: StorageUnitOfWork) -> None:
            assert await uow.dead_letters.get("old") == old
            await uow.dead_letters.save(old.model_copy(update={"replayed_at": clock.now()}))

        await storage.transactions.run(replace)
        assert [d.dead_letter_id for d in await queries.list()] == ["new"]

    # --- the wallet service on this backend -------------------------------------------------------------

    async def test_wallet_service_end_to_end(self, storage: StorageBackend, wallet: WalletService) -> None:
        """Credit, debit, hold, release and capture keep balance, held and ledger consistent."""
        await wallet.credit(ALICE, 100, LedgerReason.ADMIN_GRANT, idempotency_key="c1")
        await wallet.debit(ALICE, 30, LedgerReason.PURCHASE, idempotency_key="d1")
        h1 = await wallet.hold(ALICE, 20, purpose=LedgerReason.AUCTION_WIN, idempotency_key="h1")
        h2 = await wallet.hold(ALICE, 10, purpose=LedgerReason.AUCTION_WIN, idempotency_key="h2")
        await wallet.release(h1.hold_id)
        await wallet.capture(h2.hold_id)
        with pytest.raises(InsufficientBesitosError):
            await wallet.debit(ALICE, 71, LedgerReason.PURCHASE, idempotency_key="d2")
        balance = await wallet.balance(ALICE)
        assert (balance.balance, balance.held) == (60, 0)
        history = await wallet.history(ALICE, limit=100)
        assert sum(e.amount for e in history.entries) == 60
        assert history.total == 5

    async def test_concurrent_movements_lose_and_duplicate_nothing(
        self, storage: StorageBackend, wallet: WalletService
    ) -> None:
        """Hundreds of concurrent credits and debits on one wallet, each sent twice, apply exactly once."""
        n = self.concurrency
        await wallet.credit(ALICE, 50, LedgerReason.ADMIN_GRANT, idempotency_key="seed")

        async def move(i: int) -> int:
            try:
                if i % 2:
                    entry = await wallet.debit(ALICE, 3, LedgerReason.PURCHASE, idempotency_key=f"m{i}")
                else:
                    entry = await wallet.credit(ALICE, 2, LedgerReason.ADMIN_GRANT, idempotency_key=f"m{i}")
            except InsufficientBesitosError:
                return 0
            return entry.amount

        applied = await asyncio.gather(*(move(i) for i in range(n)), *(move(i) for i in range(n)))
        balance = await wallet.balance(ALICE)
        total = (await wallet.history(ALICE, limit=1)).total
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
    return (await wallet.history(ALICE, limit=100, offset=offset)).entries
