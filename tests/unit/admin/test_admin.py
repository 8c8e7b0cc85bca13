"""The admin module in the core: the gate and its refusals, the statistics, the audited dead-letter desk."""

import pytest

from tests.contracts.subscription_fixtures import MONTH, WEEK, small_plans, subscription_service
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.memory import InMemoryStorage
from yabot_core.admin import AdminGate, Dashboard, DeadLetterDesk
from yabot_core.audit import Actor, AuditLog, user_target
from yabot_core.kernel import DeadLetterNotFoundError, FakeClock, SequentialIds, UserId
from yabot_core.subscriptions import NotVipError, VipStatistics
from yabot_core.wallet import ADMIN_GRANT, WalletService

ANA, BEA, DIANA = UserId(42), UserId(43), UserId(1001)


@pytest.fixture(name="audit")
def audit_fixture(storage: InMemoryStorage, clock: FakeClock) -> AuditLog:
    return AuditLog(storage.audit_queries, clock, SequentialIds("a"), transactions=storage.transactions)


async def test_the_gate_lets_admins_in_and_writes_down_strangers(audit: AuditLog) -> None:
    """Only YABOT_ADMIN_IDS are admins; a refusal is an audit entry by the fan, on the fan, with its door."""
    gate = AdminGate([DIANA], audit)
    assert gate.is_admin(DIANA)
    assert not gate.is_admin(ANA)
    await gate.refuse(ANA, "/admin")
    (entry,) = (await audit.page()).entries
    assert (entry.actor, entry.action, entry.target) == (Actor.user(ANA), "admin.refused", user_target(ANA))
    assert entry.detail == {"door": "/admin", "result": "rechazado"}
    assert entry.result == "rechazado"


async def test_a_refused_admin_action_is_recorded_with_its_code(audit: AuditLog) -> None:
    """What the menu tried and the core refused is on record under the action's code, with the error's."""
    gate = AdminGate([DIANA], audit)
    await gate.failed(Actor.admin(DIANA), "subscriptions.revoke", user_target(ANA), NotVipError(ANA))
    (entry,) = (await audit.page(actor=Actor.admin(DIANA))).entries
    assert (entry.action, entry.target, entry.result) == (
        "subscriptions.revoke",
        user_target(ANA),
        NotVipError.code,
    )


async def test_statistics_count_fans_vips_stars_besitos_and_dead_letters(
    storage: InMemoryStorage, clock: FakeClock, audit: AuditLog
) -> None:
    """Stars count standing payments at catalog price (a refunded one is out); besitos sum every balance."""
    service = subscription_service(storage, clock)
    await service.pay(ANA, MONTH, "cargo-1")
    await service.pay(BEA, WEEK, "cargo-2")
    await service.refund("cargo-2", actor=Actor.operator("diana"))
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))
    await wallet.credit(ANA, 7, ADMIN_GRANT, idempotency_key="a")
    await wallet.credit(BEA, 3, ADMIN_GRANT, idempotency_key="b")
    vip = VipStatistics(storage.subscription_queries, storage.subscription_audit, small_plans(), clock)
    desk = DeadLetterDesk(storage.dead_letter_queries, audit)
    dashboard = Dashboard(storage.user_queries, storage.wallet_queries, vip, desk, storage.timer_store)

    figures = await dashboard.statistics()

    assert (figures.fans, figures.vips, figures.payments) == (2, 1, 1)
    assert figures.stars == small_plans().plan(MONTH).price
    assert figures.besitos == 10
    assert (figures.dead_letters, figures.dead_letters_floor) == (0, False)
    upcoming = await dashboard.upcoming()
    assert upcoming  # Ana's expiry (and reminders) wait on the timers
    assert all(timer.due_at > clock.now() for timer in upcoming)


async def test_a_failed_replay_is_audited_with_its_code_and_raised(
    storage: InMemoryStorage, clock: FakeClock, audit: AuditLog
) -> None:
    """Replaying what is not there raises the bus's error; the attempt is still on record, with the code."""
    bus = LocalEventBus(storage, clock=clock, ids=SequentialIds("b"))
    desk = DeadLetterDesk(storage.dead_letter_queries, audit)
    with pytest.raises(DeadLetterNotFoundError):
        await desk.replay(bus, "no-existe", actor=Actor.admin(DIANA))
    (entry,) = (await audit.page(actor=Actor.admin(DIANA))).entries
    assert (entry.action, entry.target) == ("events.replay", "dead_letter:no-existe")
    assert entry.detail["result"] == "mensaje_muerto_no_encontrado"


async def test_record_needs_transactions(storage: InMemoryStorage, clock: FakeClock) -> None:
    """An AuditLog built without transactions cannot record on its own: a wiring bug, said loudly."""
    log = AuditLog(storage.audit_queries, clock, SequentialIds("a"))
    with pytest.raises(RuntimeError, match="without transactions"):
        await log.record(Actor.system(), "admin.test", "user:1")
