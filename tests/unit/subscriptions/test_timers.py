"""Each VIP's expiry and reminder timers move with it; the sweep and bulk grants close and open VIP once."""

from datetime import timedelta

import pytest

from yabot_adapters.memory import InMemoryStorage
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, InvalidInputError, Timer, TimerFired, UserId
from yabot_core.subscriptions import (
    EXPIRY_TIMER,
    REMINDER_TIMER,
    InvalidDurationError,
    SubscriptionService,
    SubscriptionStatus,
    link_name,
    link_owner,
)
from yabot_core.subscriptions.timers import current_for

ANA, LUIS = UserId(11), UserId(12)
DIANA = Actor.operator("diana")


async def pending(storage: InMemoryStorage) -> list[Timer]:
    return list(await storage.timer_store.pending(limit=100))


def fired(timer: Timer) -> TimerFired:
    return TimerFired(
        event_id="e",
        occurred_at=timer.due_at,
        correlation_id="c",
        key=timer.key,
        kind=timer.kind,
        due_at=timer.due_at,
        payload=timer.payload,
    )


class TestTimers:
    async def test_a_grant_schedules_its_expiry_and_two_reminders(
        self, service: SubscriptionService, storage: InMemoryStorage
    ) -> None:
        """Expiry at the end, reminders 72 h and 24 h before it, all for this fan."""
        change = await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g")
        until = change.subscription.vip_until
        timers = sorted(await pending(storage), key=lambda t: t.due_at)
        assert [(t.kind, t.due_at) for t in timers] == [
            (REMINDER_TIMER, until - timedelta(hours=72)),
            (REMINDER_TIMER, until - timedelta(hours=24)),
            (EXPIRY_TIMER, until),
        ]
        assert {t.user_id for t in timers} == {ANA}

    async def test_a_short_grant_skips_reminders_already_due(
        self, service: SubscriptionService, storage: InMemoryStorage
    ) -> None:
        """Two days of VIP: no 72 h reminder (it would be past), the 24 h one and the expiry."""
        await service.grant(ANA, days=2, actor=DIANA, idempotency_key="g")
        assert sorted(t.kind for t in await pending(storage)) == [EXPIRY_TIMER, REMINDER_TIMER]

    async def test_an_extension_replaces_the_timers_of_the_old_end(
        self, service: SubscriptionService, storage: InMemoryStorage
    ) -> None:
        """After a renewal only the new end's three timers are pending; the old end's were cancelled."""
        await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g1")
        old = await pending(storage)
        change = await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g2")
        timers = await pending(storage)
        assert len(timers) == 3
        assert {t.key for t in timers}.isdisjoint({t.key for t in old})
        assert max(t.due_at for t in timers) == change.subscription.vip_until

    async def test_an_ended_vip_leaves_no_timer(
        self, service: SubscriptionService, storage: InMemoryStorage
    ) -> None:
        """A revocation cancels the expiry and the reminders."""
        await service.grant(ANA, days=30, actor=DIANA, idempotency_key="g")
        await service.revoke(ANA, actor=DIANA, idempotency_key="r")
        assert await pending(storage) == []

    async def test_a_timer_from_before_a_renewal_is_stale(
        self, service: SubscriptionService, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A TimerFired set for the old end is recognized as stale; the expiry it asks for does nothing."""
        await service.grant(ANA, days=5, actor=DIANA, idempotency_key="g1")
        expiry = next(t for t in await pending(storage) if t.kind == EXPIRY_TIMER)
        await service.grant(ANA, days=5, actor=DIANA, idempotency_key="g2")
        assert not current_for(await service.status(ANA), fired(expiry))
        clock.set(expiry.due_at)
        assert await service.on_expiry_due(fired(expiry)) is None
        status = await service.status(ANA)
        assert status is not None
        assert status.status(clock.now()) is SubscriptionStatus.ACTIVE


class TestSweep:
    async def test_the_sweep_closes_each_lapsed_vip_once(
        self, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """Lapsed VIPs are expired by the sweep; a second sweep finds nothing; active ones stay."""
        await service.grant(ANA, days=1, actor=DIANA, idempotency_key="a")
        await service.grant(LUIS, days=10, actor=DIANA, idempotency_key="l")
        clock.advance(timedelta(days=2))
        assert await service.sweep(batch=1) == 1
        assert await service.sweep() == 0
        ana, luis = await service.status(ANA), await service.status(LUIS)
        assert ana is not None
        assert ana.ended_at is not None
        assert luis is not None
        assert luis.is_vip(clock.now())


class TestGrantMany:
    async def test_all_or_none(self, service: SubscriptionService) -> None:
        """A refused grant refuses the batch: nobody gets anything; a fan named twice is refused too."""
        with pytest.raises(InvalidDurationError):
            await service.grant_many([(ANA, 5, None), (LUIS, None, None)], actor=DIANA, idempotency_key="b")
        assert await service.status(ANA) is None
        with pytest.raises(InvalidInputError, match="una sola vez"):
            await service.grant_many([(ANA, 5, None), (ANA, 6, None)], actor=DIANA, idempotency_key="b")
        with pytest.raises(InvalidInputError):
            await service.grant_many([], actor=DIANA, idempotency_key="b")

    async def test_a_batch_replayed_returns_its_first_results(self, service: SubscriptionService) -> None:
        """The same key again grants nothing more."""
        first = await service.grant_many([(ANA, 5, None), (LUIS, 3, None)], actor=DIANA, idempotency_key="b")
        again = await service.grant_many([(ANA, 5, None), (LUIS, 3, None)], actor=DIANA, idempotency_key="b")
        assert [c.entry.entry_id for c in again] == [c.entry.entry_id for c in first]
        assert all(c.replayed for c in again)


def test_a_personal_link_names_its_owner() -> None:
    """``vip-<id>`` fits Telegram's 32 characters and reads back; any other name belongs to nobody."""
    assert link_owner(link_name(UserId(9_007_199_254_740_991))) == 9_007_199_254_740_991
    assert len(link_name(UserId(9_007_199_254_740_991))) <= 32
    assert link_owner("promo") is None
    assert link_owner(None) is None
