"""The reconciliation: findings published through the outbox; of these, only the wallet's is repaired."""

from collections.abc import AsyncIterator

import pytest

from tests.contracts.common import ALICE, BOB, record_everything, recorded_events
from tests.contracts.inventory import line
from tests.contracts.inventory_catalog import ROSE
from tests.contracts.subscription_fixtures import history_entry
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork, opened
from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import EventStamper, FakeClock, SequentialIds, UserId
from yabot_core.operations import (
    MOCHILA_MOVEMENTS,
    REPAIR_ACTION,
    SUBSCRIPTION_HISTORY,
    VIP_TIMERS,
    WALLET_LEDGER,
    DataInconsistencyDetected,
    Reconciliation,
)
from yabot_core.subscriptions import EXPIRY_TIMER, EntryKind
from yabot_core.subscriptions.timers import move_timers
from yabot_core.wallet import ADMIN_GRANT, WalletService

CAROL = UserId(1003)


@pytest.fixture(name="storage")
async def storage_fixture(clock: FakeClock) -> AsyncIterator[StorageBackend]:
    async with opened(InMemoryStorage(clock)) as storage:
        record_everything(storage)
        yield storage


def reconciliation(storage: StorageBackend, clock: FakeClock) -> Reconciliation:
    audit = AuditLog(storage.audit_queries, clock, SequentialIds("a"))
    stamper = EventStamper(clock, SequentialIds("e"))
    return Reconciliation(
        storage.transactions,
        audit,
        stamper,
        wallet_audit=storage.wallet_audit,
        inventory_audit=storage.inventory_audit,
        subscription_audit=storage.subscription_audit,
    )


async def plant(storage: StorageBackend, clock: FakeClock) -> None:
    """Alice's balance drifts from her ledger; Bob holds a rose no operation brought; Carol's VIP is short."""
    await WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w")).credit(
        ALICE, 10, ADMIN_GRANT, idempotency_key="k"
    )

    grant, after = history_entry(None, EntryKind.GRANT, 86_400, at=clock.now(), key="v", user=CAROL)

    async def work(uow: StorageUnitOfWork) -> None:
        await uow.wallets.correct_balance(ALICE, balance=4, sequence=1)
        await uow.inventory.save_line(line(ROSE, 2, 1, user=BOB))
        await uow.subscriptions.append(grant, after.model_copy(update={"vip_until": clock.now()}))

    await storage.transactions.run(work)


async def test_a_clean_store_finds_nothing(storage: StorageBackend, clock: FakeClock) -> None:
    """Balances equal to their ledgers and mochilas equal to their operations: no finding, no event."""
    report = await reconciliation(storage, clock).run()
    assert report.findings == ()
    assert not [e for e in await recorded_events(storage) if isinstance(e, DataInconsistencyDetected)]


async def test_findings_are_published_and_only_the_wallet_is_repaired(
    storage: StorageBackend, clock: FakeClock
) -> None:
    """Each finding becomes an event; --reparar sets the balance to the ledger's sum, audited, and no more."""
    await plant(storage, clock)
    report = await reconciliation(storage, clock).run(repair=True, actor=Actor.operator("ana"))

    planted = {(WALLET_LEDGER, ALICE), (MOCHILA_MOVEMENTS, BOB), (SUBSCRIPTION_HISTORY, CAROL)}
    assert {(f.check, f.user_id) for f in report.findings} == planted
    assert report.repaired == (ALICE,)
    assert {f.check for f in report.unresolved} == {MOCHILA_MOVEMENTS, SUBSCRIPTION_HISTORY}
    events = [e for e in await recorded_events(storage) if isinstance(e, DataInconsistencyDetected)]
    assert {(e.check, e.user_id) for e in events} == planted
    assert (await storage.wallet_queries.balance(ALICE)).balance == 10
    (entry,) = (await storage.audit_queries.page(limit=10, offset=0)).entries
    assert (entry.action, entry.detail) == (REPAIR_ACTION, {"saldo_anterior": 4, "saldo_del_libro": 10})
    assert await storage.inventory_audit.quantity_mismatches() != []  # reported, never touched


async def test_an_open_vip_without_its_expiry_timer_is_found(
    storage: StorageBackend, clock: FakeClock
) -> None:
    """Timers against what they serve: an open VIP whose expiry timer vanished would stay VIP for ever."""
    grant, after = history_entry(None, EntryKind.GRANT, 86_400, at=clock.now(), key="v", user=CAROL)

    async def vip(uow: StorageUnitOfWork) -> None:
        await uow.subscriptions.append(grant, after)
        await move_timers(uow, None, after, clock.now())

    await storage.transactions.run(vip)
    checks = Reconciliation(
        storage.transactions,
        AuditLog(storage.audit_queries, clock, SequentialIds("a")),
        EventStamper(clock, SequentialIds("e")),
        wallet_audit=storage.wallet_audit,
        inventory_audit=storage.inventory_audit,
        subscription_audit=storage.subscription_audit,
        timers=storage.timer_store,
        clock=clock,
    )
    assert (await checks.run()).findings == ()

    (expiry,) = await storage.timer_store.pending(limit=10, kind=EXPIRY_TIMER)

    async def lose_it(uow: StorageUnitOfWork) -> None:
        await uow.timers.cancel(expiry.key)

    await storage.transactions.run(lose_it)
    (finding,) = (await checks.run()).findings
    assert (finding.check, finding.user_id) == (VIP_TIMERS, CAROL)
    assert "no hay aviso programado" in finding.description
