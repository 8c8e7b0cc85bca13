"""The subscriptions' storage on every backend: histories appended by sequence, keys, VIP lists, and load.

Sized by each backend's own knobs (``concurrency``, ``stateful_examples``), which its test module sets for
its speed.
"""

import asyncio
from datetime import timedelta
from typing import ClassVar

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, BoomError, recorded_events
from tests.contracts.factory import StorageFactory
from tests.contracts.subscription_fixtures import MONTH, history_entry, subscription_service
from tests.contracts.subscriptions_machine import run_subscriptions_machine
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.audit import Actor
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, IdempotencyKey, UserId
from yabot_core.subscriptions import (
    EntryKind,
    Subscription,
    SubscriptionCancelled,
    SubscriptionEntry,
    SubscriptionExpired,
    SubscriptionExtended,
    SubscriptionRefunded,
    SubscriptionRevoked,
    SubscriptionService,
    SubscriptionStarted,
    SubscriptionStatus,
    replay,
)
from yabot_core.users import UserRegistered

DAY = 86_400
DIANA = Actor.operator("diana")


async def append(storage: StorageBackend, entry: SubscriptionEntry, after: Subscription) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        await uow.subscriptions.append(entry, after)

    await storage.transactions.run(work)


class SubscriptionsContract(ContractBase):
    """What every backend's subscriptions slice must do."""

    concurrency: ClassVar[int] = 1000
    stateful_examples: ClassVar[int] = 60

    @pytest.fixture(name="service")
    def service_fixture(self, storage: StorageBackend, clock: FakeClock) -> SubscriptionService:
        return subscription_service(storage, clock)

    async def test_a_fan_without_vip_has_no_subscription(self, storage: StorageBackend) -> None:
        """Nobody has a subscription or history until their first grant."""
        assert await storage.subscription_queries.get(ALICE) is None
        statement = await storage.subscription_queries.statement(ALICE, limit=10, offset=0)
        assert statement.subscription is None
        assert (statement.history.entries, statement.history.total) == ((), 0)

    async def test_append_stores_the_entry_and_moves_the_subscription(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Entries are stored whole, found by key, and the subscription read back is the one appended."""
        first, granted = history_entry(None, EntryKind.GRANT, 30 * DAY, at=clock.now(), key="g", user=ALICE)
        await append(storage, first, granted)
        clock.advance(timedelta(days=2))
        cancel, cancelled = history_entry(granted, EntryKind.CANCEL, 0, at=clock.now(), key="c", user=ALICE)
        await append(storage, cancel, cancelled)
        clock.advance(timedelta(days=1))
        refund, refunded = history_entry(
            cancelled, EntryKind.REFUND, -40 * DAY, at=clock.now(), key="r", user=ALICE, reference="ch_1"
        )
        await append(storage, refund, refunded)

        async def read(uow: StorageUnitOfWork) -> tuple[object, ...]:
            return (
                await uow.subscriptions.get(ALICE),
                await uow.subscriptions.entry_by_key(IdempotencyKey("c")),
                await uow.subscriptions.entry_by_key(IdempotencyKey("nada")),
                await uow.subscriptions.get(BOB),
            )

        assert await storage.transactions.run(read) == (refunded, cancel, None, None)
        assert await storage.subscription_queries.get(ALICE) == refunded
        assert refunded.cancelled_at == cancel.created_at
        assert refunded.ended_at == refund.created_at
        assert replay([first, cancel, refund]) == refunded

    async def test_histories_page_newest_first(self, storage: StorageBackend, clock: FakeClock) -> None:
        """A statement has the subscription and its entries newest first, paged, with the total."""
        current = None
        for n in range(7):
            kind = EntryKind.GRANT if current is None else EntryKind.EXTEND
            entry, current = history_entry(current, kind, DAY, at=clock.now(), key=f"a{n}", user=ALICE)
            await append(storage, entry, current)
            clock.advance(timedelta(minutes=1))
        other, bob = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="b", user=BOB)
        await append(storage, other, bob)

        queries = storage.subscription_queries
        first = await queries.statement(ALICE, limit=3, offset=0)
        assert first.subscription == current
        assert [e.sequence for e in first.history.entries] == [7, 6, 5]
        assert (first.history.total, first.history.limit, first.history.offset) == (7, 3, 0)
        last = await queries.statement(ALICE, limit=3, offset=6)
        assert [e.sequence for e in last.history.entries] == [1]
        beyond = await queries.statement(ALICE, limit=3, offset=10)
        assert (beyond.history.entries, beyond.history.total) == ((), 7)
        assert (await queries.statement(BOB, limit=10, offset=0)).history.entries == (other,)

    async def test_append_from_a_stale_sequence_is_a_concurrent_update(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A second first entry, or one not following the stored sequence, is refused; nothing moves."""
        first, granted = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="g1", user=ALICE)
        await append(storage, first, granted)
        again, _ = history_entry(None, EntryKind.GRANT, 2 * DAY, at=clock.now(), key="g2", user=ALICE)
        with pytest.raises(ConcurrentUpdateError):
            await append(storage, again, _)
        skipped, later = history_entry(
            granted.model_copy(update={"sequence": 2}),
            EntryKind.EXTEND,
            DAY,
            at=clock.now(),
            key="x",
            user=ALICE,
        )
        with pytest.raises(ConcurrentUpdateError):
            await append(storage, skipped, later)
        assert await storage.subscription_queries.get(ALICE) == granted
        assert (await storage.subscription_queries.statement(ALICE, limit=10, offset=0)).history.total == 1

    async def test_a_reused_idempotency_key_is_a_concurrent_update(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Two entries with one key never both exist, even for different fans; the second changes nothing."""
        first, granted = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="same", user=ALICE)
        await append(storage, first, granted)
        second, bob = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="same", user=BOB)
        second = second.model_copy(update={"entry_id": "e-other"})
        with pytest.raises(ConcurrentUpdateError):
            await append(storage, second, bob)
        assert await storage.subscription_queries.get(BOB) is None

    async def test_a_failed_unit_of_work_keeps_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """An append in a unit of work that raises afterwards leaves no entry and no subscription."""
        first, granted = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="g", user=ALICE)

        async def work(uow: StorageUnitOfWork) -> None:
            await uow.subscriptions.append(first, granted)
            raise BoomError

        with pytest.raises(BoomError):
            await storage.transactions.run(work)
        assert await storage.subscription_queries.get(ALICE) is None

    async def test_open_subscriptions_are_listed_soonest_end_first(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """``open_ending`` lists open subscriptions within bounds by end (ties by user), with the count."""
        now = clock.now()
        ends = {UserId(11): 5, UserId(12): 1, UserId(13): 3, UserId(14): 3, UserId(15): 10, UserId(16): 2}
        for user, days in ends.items():
            entry, state = history_entry(None, EntryKind.GRANT, days * DAY, at=now, key=f"g{user}", user=user)
            await append(storage, entry, state)
        _, current = history_entry(None, EntryKind.GRANT, 2 * DAY, at=now, key="g16", user=UserId(16))
        revoke, revoked = history_entry(
            current, EntryKind.REVOKE, -2 * DAY, at=now, key="r16", user=UserId(16)
        )
        await append(storage, revoke, revoked)

        queries = storage.subscription_queries
        every = await queries.open_ending(after=None, before=None, limit=100, offset=0)
        assert [s.user_id for s in every.subscriptions] == [12, 13, 14, 11, 15]
        assert every.total == 5
        within = await queries.open_ending(after=now, before=now + timedelta(days=3), limit=100, offset=0)
        assert [s.user_id for s in within.subscriptions] == [12, 13, 14]
        page = await queries.open_ending(after=now, before=now + timedelta(days=3), limit=2, offset=1)
        assert ([s.user_id for s in page.subscriptions], page.total) == ([13, 14], 3)
        later = now + timedelta(days=3)
        due = await queries.open_ending(after=None, before=later, limit=100, offset=0)
        assert [s.user_id for s in due.subscriptions] == [12, 13, 14]  # an end equal to the bound is due
        ahead = await queries.open_ending(after=later, before=None, limit=100, offset=0)
        assert [s.user_id for s in ahead.subscriptions] == [11, 15]

    async def test_the_service_end_to_end(
        self, service: SubscriptionService, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Grant, pay, cancel, refund, revoke and expire: one entry, one event and one audit line each."""
        start = clock.now()
        second = timedelta(seconds=1)
        started = await service.grant(ALICE, days=10, actor=DIANA, idempotency_key="g", reason="Bienvenida")
        assert started.new_user
        assert started.subscription.vip_until == start + timedelta(days=10)
        clock.advance(second)
        paid = await service.pay(ALICE, MONTH, "ch_1")
        assert paid.entry.kind is EntryKind.EXTEND
        assert paid.subscription.vip_until == start + timedelta(days=40)
        clock.advance(second)
        await service.cancel(ALICE, actor=DIANA, idempotency_key="c")
        clock.advance(second)
        refunded = await service.refund("ch_1", actor=DIANA)
        assert refunded.subscription.vip_until == start + timedelta(days=10)
        clock.advance(timedelta(days=1))
        revoked = await service.revoke(ALICE, actor=DIANA, idempotency_key="r")
        assert revoked.subscription.status(clock.now()) is SubscriptionStatus.ENDED
        await service.grant(BOB, days=1, actor=DIANA, idempotency_key="b")
        clock.advance(timedelta(days=1))
        expired = await service.expire(BOB)
        assert expired is not None
        assert await service.expire(BOB) is None

        kinds = [type(event) for event in await recorded_events(storage)]
        assert kinds == [
            UserRegistered,
            SubscriptionStarted,
            SubscriptionExtended,
            SubscriptionCancelled,
            SubscriptionRefunded,
            SubscriptionRevoked,
            UserRegistered,
            SubscriptionStarted,
            SubscriptionExpired,
        ]
        audit = await storage.audit_queries.page(limit=100, offset=0, target="user:1001")
        assert [e.action for e in reversed(audit.entries)] == [
            "subscriptions.grant",
            "subscriptions.cancel",
            "subscriptions.refund",
            "subscriptions.revoke",
        ]  # the fan's own payment and the expiry are no admin's actions
        statement = await service.statement(ALICE, limit=100)
        assert replay(reversed(statement.history.entries)) == statement.subscription

    async def test_hundreds_of_grants_with_one_key_apply_once(self, service: SubscriptionService) -> None:
        """Concurrent grants sharing an idempotency key make one entry; every caller gets that entry."""
        n = min(self.concurrency, 300)
        changes = await asyncio.gather(
            *(service.grant(ALICE, days=30, actor=DIANA, idempotency_key="same") for _ in range(n))
        )
        assert len({change.entry.entry_id for change in changes}) == 1
        assert sum(not change.replayed for change in changes) == 1
        statement = await service.statement(ALICE, limit=100)
        assert statement.history.total == 1
        assert statement.subscription is not None
        assert statement.subscription.vip_until == changes[0].entry.vip_until

    async def test_concurrent_extensions_all_add_up(
        self, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """Concurrent grants with distinct keys on one fan each add their day: the history sums to the end."""
        n = min(self.concurrency, 200) // 2
        await asyncio.gather(
            *(service.grant(ALICE, days=1, actor=DIANA, idempotency_key=f"k{i}") for i in range(n))
        )
        statement = await service.statement(ALICE, limit=100)
        assert statement.subscription is not None
        assert statement.history.total == n
        assert statement.subscription.vip_until == clock.now() + timedelta(days=n)
        assert sorted(e.sequence for e in statement.history.entries) == list(range(1, n + 1))

    def test_vip_until_is_what_the_history_sums_to(self, storage_factory: StorageFactory) -> None:
        """Random grants, extensions, payments, refunds, revocations and expiries (hypothesis)."""
        run_subscriptions_machine(storage_factory, examples=self.stateful_examples)


class SubscriptionAuditContract(ContractBase):
    """The reconciliation's view of subscriptions: each stored one beside its whole history, oldest first."""

    async def test_every_subscription_comes_with_its_history(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Stored state and history come together, so a state that is not its history's replay shows."""
        now = clock.now()
        first, after_first = history_entry(None, EntryKind.GRANT, 86_400, at=now, key="a1", user=ALICE)
        await append(storage, first, after_first)
        second, after_second = history_entry(
            after_first, EntryKind.EXTEND, 86_400, at=now, key="a2", user=ALICE
        )
        drifted = after_second.model_copy(update={"vip_until": after_second.vip_until + timedelta(days=30)})
        await append(storage, second, drifted)
        grant, after_grant = history_entry(None, EntryKind.GRANT, 3_600, at=now, key="b1", user=BOB)
        await append(storage, grant, after_grant)

        found = await storage.subscription_audit.stored_with_history()
        assert [(s.user_id, s.stored, s.history) for s in found] == [
            (ALICE, drifted, (first, second)),
            (BOB, after_grant, (grant,)),
        ]
        assert replay(found[0].history) == after_second != found[0].stored
