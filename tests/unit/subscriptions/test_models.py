"""A subscription is the sum of its history: the rule every change is written by and read back with."""

from datetime import timedelta

import pytest

from tests.contracts.subscription_fixtures import history_entry
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import EntryKind, SubscriptionStatus, apply, replay

ANA = UserId(11)
DAY = 86_400


def test_a_history_adds_up_to_its_subscription(clock: FakeClock) -> None:
    """Grant, extend, cancel, refund and revoke, replayed, give back the state each step left."""
    steps = [
        (EntryKind.GRANT, 10 * DAY),
        (EntryKind.EXTEND, 5 * DAY),
        (EntryKind.CANCEL, 0),
        (EntryKind.REFUND, -2 * DAY),
        (EntryKind.REVOKE, -12 * DAY),
    ]
    current, entries = None, []
    start = clock.now()
    for n, (kind, seconds) in enumerate(steps):
        entry, current = history_entry(current, kind, seconds, at=clock.now(), key=f"k{n}", user=ANA)
        entries.append(entry)
        assert replay(entries) == current
        assert current.vip_until == entry.vip_until
        clock.advance(timedelta(days=1))
    assert current is not None
    assert current.vip_until == start + timedelta(seconds=sum(seconds for _, seconds in steps))
    assert current.status(clock.now()) is SubscriptionStatus.ENDED
    assert current.cancelled_at is not None
    assert current.ended_at == entries[-1].created_at


def test_a_grant_after_an_end_opens_a_new_period(clock: FakeClock) -> None:
    """A grant resets the period: its start, its first entry, its end counted from the grant."""
    first, granted = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="a", user=ANA)
    clock.advance(timedelta(days=2))
    assert granted.status(clock.now()) is SubscriptionStatus.LAPSED
    second, again = history_entry(granted, EntryKind.GRANT, DAY, at=clock.now(), key="b", user=ANA)
    assert (again.period_started_at, again.period_sequence, again.ended_at) == (clock.now(), 2, None)
    assert replay([first, second]) == again


def test_a_refund_to_nothing_ends_the_period(clock: FakeClock) -> None:
    """A refund that leaves no time closes the period, as a revocation would."""
    _, granted = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="a", user=ANA)
    _, refunded = history_entry(granted, EntryKind.REFUND, -DAY, at=clock.now(), key="r", user=ANA)
    assert refunded.ended_at == clock.now()
    assert not refunded.is_vip(clock.now())


def test_an_entry_that_does_not_follow_is_refused(clock: FakeClock) -> None:
    """Only a grant starts a history, and each entry must follow the last one's number, for the same fan."""
    grant, granted = history_entry(None, EntryKind.GRANT, DAY, at=clock.now(), key="g", user=ANA)
    extend, _ = history_entry(granted, EntryKind.EXTEND, DAY, at=clock.now(), key="e", user=ANA)
    with pytest.raises(ValueError, match="starts with a grant"):
        replay([extend])
    with pytest.raises(ValueError, match="does not follow"):
        apply(granted, grant)
    other = extend.model_copy(update={"user_id": UserId(12)})
    with pytest.raises(ValueError, match="does not follow"):
        apply(granted, other)
