"""A hypothesis state machine driving VIP subscriptions on one backend, compared with a plain model.

Random grants, extensions, payments, refunds, revocations, cancellations and expiries, replays of keys
already applied and reuses of them for other operations, while the clock moves. After every step, for each
fan: the stored subscription is the model's; replaying the history gives it back exactly; ``vip_until`` is
the start of the period plus the sum of the period's entries; and the VIP port, the VIP list and the list of
subscriptions due to expire agree with the model.
"""

from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from tests.contracts.factory import StorageFactory
from tests.contracts.machines import StorageMachine, run_machine
from tests.contracts.subscription_fixtures import MONTH, WEEK, small_plans, subscription_service
from yabot_core.audit import Actor
from yabot_core.kernel import IdempotencyKeyReusedError, UserId
from yabot_core.subscriptions import (
    ChargeNotFoundError,
    NotVipError,
    RenewalAlreadyCancelledError,
    SubscriptionEntry,
    VipChange,
    replay,
)

FANS = (UserId(1), UserId(2), UserId(3))
USERS = st.sampled_from(FANS)
DAYS = st.integers(min_value=1, max_value=10)
KEYS = st.sampled_from([f"k{n}" for n in range(10)])
CHARGES = st.sampled_from([f"ch_{n}" for n in range(6)])
PLANS = st.sampled_from([MONTH, WEEK])
HOURS = st.integers(min_value=1, max_value=24 * 12)
DIANA = Actor.operator("diana")


@dataclass
class Fan:
    """The plain truth about one fan's VIP."""

    until: datetime | None = None
    ended: bool = False
    cancelled: bool = False
    sequence: int = 0
    period: int = 0

    def active(self, now: datetime) -> bool:
        return self.until is not None and not self.ended and now < self.until

    def lapsed(self, now: datetime) -> bool:
        return self.until is not None and not self.ended and now >= self.until


@dataclass
class Model:
    """Every fan, what each key was used for, and what each charge bought (fan, seconds, entry number)."""

    fans: dict[UserId, Fan] = field(default_factory=lambda: {user: Fan() for user in FANS})
    keys: dict[str, tuple[object, ...]] = field(default_factory=dict)
    charges: dict[str, tuple[UserId, int, int]] = field(default_factory=dict)
    refunded: set[str] = field(default_factory=set)


def subscriptions_machine(factory: StorageFactory) -> type[StorageMachine]:
    """Build the state machine class for backends made by ``factory``."""

    class SubscriptionsMachine(StorageMachine):
        def __init__(self) -> None:
            super().__init__(factory)
            self.service = subscription_service(self.storage, self.clock, prefix="m")
            self.model = Model()

        def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
            return self.runner.run(coro)

        def refused(self, error: type[Exception], coro: Coroutine[Any, Any, Any]) -> None:
            """Run ``coro`` and require ``error``; the invariants then prove nothing changed."""
            try:
                self.run(coro)
            except error:
                return
            raise AssertionError(f"expected {error.__name__}")

        # --- adding time ------------------------------------------------------------------------------

        def _add(self, user: UserId, days: int, key: str, *, extend: bool, charge: str | None = None) -> None:
            fingerprint = ("add", user, days, charge)
            if charge is None:
                coro = (self.service.extend if extend else self.service.grant)(
                    user, days=days, actor=DIANA, idempotency_key=key
                )
            else:
                coro = self.service.pay(user, MONTH if days == 30 else WEEK, charge)
            known = self.model.keys.get(key)
            fan, now = self.model.fans[user], self.clock.now()
            if known is not None and known != fingerprint:
                self.refused(IdempotencyKeyReusedError, coro)
                return
            if known is None and extend and not fan.active(now):
                self.refused(NotVipError, coro)
                return
            change: VipChange = self.run(coro)
            assert change.replayed == (known is not None)
            if known is not None:
                return
            self.model.keys[key] = fingerprint
            seconds = days * 86_400
            if fan.active(now):
                assert fan.until is not None
                fan.until += timedelta(seconds=seconds)
            else:
                fan.until, fan.ended, fan.period = now + timedelta(seconds=seconds), False, fan.sequence + 1
            fan.cancelled = False
            fan.sequence += 1
            if charge is not None:
                self.model.charges[charge] = (user, seconds, fan.sequence)
            assert change.entry.sequence == fan.sequence

        @rule(user=USERS, days=DAYS, key=KEYS)
        def grant(self, user: UserId, days: int, key: str) -> None:
            self._add(user, days, key, extend=False)

        @rule(user=USERS, days=DAYS, key=KEYS)
        def extend(self, user: UserId, days: int, key: str) -> None:
            self._add(user, days, key, extend=True)

        @rule(user=USERS, plan=PLANS, charge=CHARGES)
        def pay(self, user: UserId, plan: str, charge: str) -> None:
            days = small_plans().plan(plan).days
            self._add(user, days, f"yabot:vip-payment:{charge}", extend=False, charge=charge)

        # --- taking it away ---------------------------------------------------------------------------

        def _end(self, user: UserId, key: str, kind: str) -> None:
            call = self.service.revoke if kind == "revoke" else self.service.cancel
            coro = call(user, actor=DIANA, idempotency_key=key)
            fingerprint = (kind, user)
            known = self.model.keys.get(key)
            fan, now = self.model.fans[user], self.clock.now()
            if known is not None:
                if known == fingerprint:
                    assert self.run(coro).replayed
                else:
                    self.refused(IdempotencyKeyReusedError, coro)
                return
            if not fan.active(now):
                self.refused(NotVipError, coro)
                return
            if kind == "cancel" and fan.cancelled:
                self.refused(RenewalAlreadyCancelledError, coro)
                return
            self.run(coro)
            self.model.keys[key] = fingerprint
            fan.sequence += 1
            if kind == "revoke":
                fan.until, fan.ended = now, True
            else:
                fan.cancelled = True

        @rule(user=USERS, key=KEYS)
        def revoke(self, user: UserId, key: str) -> None:
            self._end(user, key, "revoke")

        @rule(user=USERS, key=KEYS)
        def cancel(self, user: UserId, key: str) -> None:
            self._end(user, key, "cancel")

        @rule(charge=CHARGES)
        def refund(self, charge: str) -> None:
            coro = self.service.refund(charge, actor=DIANA)
            if charge not in self.model.charges:
                self.refused(ChargeNotFoundError, coro)
                return
            change: VipChange = self.run(coro)
            assert change.replayed == (charge in self.model.refunded)
            if change.replayed:
                return
            self.model.refunded.add(charge)
            user, seconds, sequence = self.model.charges[charge]
            fan, now = self.model.fans[user], self.clock.now()
            assert fan.until is not None
            if fan.active(now) and sequence >= fan.period:
                fan.until = max(fan.until - timedelta(seconds=seconds), now)
            if not fan.ended and fan.until <= now:
                fan.ended = True
            fan.sequence += 1
            assert change.entry.seconds <= 0

        @rule(user=USERS)
        def expire(self, user: UserId) -> None:
            fan, now = self.model.fans[user], self.clock.now()
            change = self.run(self.service.expire(user))
            assert (change is not None) == fan.lapsed(now)
            if change is not None:
                fan.ended = True
                fan.sequence += 1

        @rule(hours=HOURS)
        def wait(self, hours: int) -> None:
            self.clock.advance(timedelta(hours=hours))

        # --- invariants -------------------------------------------------------------------------------

        @invariant()
        def the_history_adds_up(self) -> None:
            now = self.clock.now()
            for user, fan in self.model.fans.items():
                statement = self.run(self.service.statement(user, limit=100))
                current = statement.subscription
                entries: list[SubscriptionEntry] = list(reversed(statement.history.entries))
                assert statement.history.total == len(entries) == fan.sequence
                if current is None:
                    assert fan.until is None
                    continue
                assert (current.vip_until, current.ended_at is not None) == (fan.until, fan.ended)
                assert (current.cancelled_at is not None, current.period_sequence) == (
                    fan.cancelled,
                    fan.period,
                )
                assert replay(entries) == current
                for entry in entries:
                    so_far = replay(entries[: entry.sequence])
                    assert so_far is not None
                    assert entry.vip_until == so_far.vip_until
                period = [entry.seconds for entry in entries if entry.sequence >= current.period_sequence]
                assert current.vip_until == current.period_started_at + timedelta(seconds=sum(period))
                assert self.run(self.service.vip.is_vip(user)) == fan.active(now)

        @invariant()
        def the_lists_agree(self) -> None:
            now = self.clock.now()
            vips = self.run(self.service.active(limit=100)).subscriptions
            assert {s.user_id for s in vips} == {u for u, fan in self.model.fans.items() if fan.active(now)}
            due = self.run(self.service.due(limit=100)).subscriptions
            assert {s.user_id for s in due} == {u for u, fan in self.model.fans.items() if fan.lapsed(now)}
            assert [s.vip_until for s in vips] == sorted(s.vip_until for s in vips)

    return SubscriptionsMachine


def run_subscriptions_machine(factory: StorageFactory, *, examples: int, steps: int = 30) -> None:
    """Run the state machine against backends made by ``factory``."""
    run_machine(subscriptions_machine(factory), examples=examples, steps=steps)
