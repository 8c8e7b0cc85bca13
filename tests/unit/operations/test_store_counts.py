"""The reconciliation's tienda check: counters against purchases, repaired only over the version it saw."""

from collections.abc import AsyncIterator

import pytest

from tests.contracts.common import ALICE, BOB, record_everything, recorded_events
from tests.contracts.store import in_work, purchase
from tests.contracts.store_fixtures import MEDAL
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageBackend, opened
from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import EventStamper, FakeClock, SequentialIds
from yabot_core.operations import (
    COUNT_REPAIR_ACTION,
    STORE_PURCHASES,
    DataInconsistencyDetected,
    Reconciliation,
)
from yabot_core.operations.store_counts import repair_count
from yabot_core.store import BuyerLine, StockLine


@pytest.fixture(name="storage")
async def storage_fixture(clock: FakeClock) -> AsyncIterator[StorageBackend]:
    async with opened(InMemoryStorage(clock)) as storage:
        record_everything(storage)
        yield storage


def audit_log(storage: StorageBackend, clock: FakeClock) -> AuditLog:
    return AuditLog(storage.audit_queries, clock, SequentialIds("a"))


def reconciliation(storage: StorageBackend, clock: FakeClock) -> Reconciliation:
    return Reconciliation(
        storage.transactions,
        audit_log(storage, clock),
        EventStamper(clock, SequentialIds("e")),
        wallet_audit=storage.wallet_audit,
        inventory_audit=storage.inventory_audit,
        subscription_audit=storage.subscription_audit,
        store_audit=storage.store_audit,
    )


async def plant(storage: StorageBackend, clock: FakeClock) -> None:
    """Alice and Bob bought a medal each; the sold counter says 5 and Bob's bought counter is lost."""
    await in_work(
        storage,
        purchase("k1", clock.now()),
        purchase("k2", clock.now(), user=BOB),
        StockLine(item_id=MEDAL, sold=5, version=1),
        BuyerLine(user_id=ALICE, item_id=MEDAL, bought=1, version=1),
    )


async def test_drifted_counters_are_published_and_repaired_to_the_purchases(
    storage: StorageBackend, clock: FakeClock
) -> None:
    """Each drifted counter is a finding and an event; --reparar sets it to its purchases' count, audited."""
    await plant(storage, clock)
    report = await reconciliation(storage, clock).run(repair=True, actor=Actor.operator("ana"))

    assert [(f.check, f.user_id, f.repairable) for f in report.findings] == [
        (STORE_PURCHASES, None, True),
        (STORE_PURCHASES, BOB, True),
    ]
    assert report.findings[0].description == "el contador dice 5, pero hay 2 compras guardadas"
    assert report.repaired_counters == tuple(f.subject for f in report.findings)
    assert report.unresolved == ()
    events = [e for e in await recorded_events(storage) if isinstance(e, DataInconsistencyDetected)]
    assert [(e.check, e.subject) for e in events] == [(f.check, f.subject) for f in report.findings]
    assert await storage.store_queries.sold([MEDAL]) == {MEDAL: 2}
    assert await storage.store_queries.bought(BOB, [MEDAL]) == {MEDAL: 1}
    entries = (await storage.audit_queries.page(limit=10, offset=0)).entries
    assert sorted((e.action, e.target, str(e.actor)) for e in entries) == [
        (COUNT_REPAIR_ACTION, "item:medalla", "operator:ana"),
        (COUNT_REPAIR_ACTION, "user:1002/item:medalla", "operator:ana"),
    ]
    assert (await reconciliation(storage, clock).run()).findings == ()


async def test_without_repair_nothing_moves(storage: StorageBackend, clock: FakeClock) -> None:
    """A plain run only reports: the counters stay as found."""
    await plant(storage, clock)
    report = await reconciliation(storage, clock).run()
    assert len(report.unresolved) == 2
    assert await storage.store_queries.sold([MEDAL]) == {MEDAL: 5}


async def test_a_counter_moved_since_the_check_is_left_alone(
    storage: StorageBackend, clock: FakeClock
) -> None:
    """A purchase after the check moved the counter's version: the repair writes nothing, audits nothing."""
    await plant(storage, clock)
    (seen, _) = await storage.store_audit.count_mismatches()
    await in_work(storage, StockLine(item_id=MEDAL, sold=6, version=2), purchase("k3", clock.now()))
    log = audit_log(storage, clock)
    assert not await storage.transactions.run(lambda uow: repair_count(uow, seen, log, Actor.operator("ana")))
    assert await storage.store_queries.sold([MEDAL]) == {MEDAL: 6}
    assert (await storage.audit_queries.page(limit=10, offset=0)).entries == ()
