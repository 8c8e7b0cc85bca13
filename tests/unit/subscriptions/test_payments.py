"""Stars payments in the core: the invoice's payload, the pre-checkout check, refunds through a port."""

from dataclasses import dataclass, field

import pytest

from tests.contracts.subscription_fixtures import MONTH, WEEK, small_plans
from yabot_core.audit import Actor
from yabot_core.kernel import InvalidInputError, UnavailableError, UserId
from yabot_core.subscriptions import (
    MAX_PAYLOAD_BYTES,
    CheckoutRefusedError,
    EntryKind,
    PaymentRefunds,
    SubscriptionService,
    checked_checkout,
    invoice_payload,
    plan_of,
)

ANA = UserId(42)
DIANA = Actor.operator("diana")


@dataclass
class FakeStars:
    """The StarRefunds port in memory: what was refunded, or a refusal to raise."""

    refunded: list[tuple[int, str]] = field(default_factory=list)
    refusal: Exception | None = None

    async def refund_stars(self, user_id: UserId, charge_id: str) -> None:
        if self.refusal is not None:
            raise self.refusal
        self.refunded.append((user_id, charge_id))


class TestCheckout:
    def test_the_payload_names_the_plan_and_fits_telegram(self) -> None:
        """``vip:<plan id>``, at most 128 bytes even for the longest plan id, read back to the plan."""
        plans = small_plans()
        plan = plans.plan(MONTH)
        assert invoice_payload(plan) == "vip:vip-mensual"
        assert plan_of(plans, invoice_payload(plan)) == plan
        longest = plan.model_copy(update={"id": "a" * 64})
        assert len(invoice_payload(longest).encode()) <= MAX_PAYLOAD_BYTES

    def test_only_the_catalog_plan_amount_and_currency_pass(self) -> None:
        """The plan must be on sale, in XTR, at exactly its price: nothing the client says is trusted."""
        plans = small_plans()
        assert checked_checkout(plans, "vip:vip-semanal", "XTR", 150) == plans.plan(WEEK)
        refusals = [
            ("vip:vip-semanal", "XTR", 149, "amount"),
            ("vip:vip-semanal", "XTR", 500, "amount"),
            ("vip:vip-semanal", "USD", 150, "amount"),
            ("vip:vip-anual", "XTR", 150, "plan"),
            ("vip-semanal", "XTR", 150, "plan"),
            ("", "XTR", 150, "plan"),
        ]
        for payload, currency, amount, reason in refusals:
            with pytest.raises(CheckoutRefusedError) as refused:
                checked_checkout(plans, payload, currency, amount)
            assert refused.value.reason == reason, payload


class TestRefunds:
    async def test_a_refund_asks_telegram_then_takes_the_days_back_once(
        self, service: SubscriptionService
    ) -> None:
        """The Stars go back first; the payment's days come off; the same refund again is a replay."""
        await service.pay(ANA, MONTH, "ch-1")
        stars = FakeStars()
        refunds = PaymentRefunds(service, stars)
        change = await refunds.refund(ANA, "ch-1", actor=DIANA, reason="Lo pidió")
        assert change.entry.kind is EntryKind.REFUND
        assert not await service.vip.is_vip(ANA)
        assert (await refunds.refund(ANA, "ch-1", actor=DIANA)).replayed
        assert stars.refunded == [(ANA, "ch-1"), (ANA, "ch-1")]

    async def test_a_failed_telegram_refund_or_a_bad_reason_changes_nothing(
        self, service: SubscriptionService
    ) -> None:
        """Telegram unreachable, or a reason too long: no Stars, no days taken, no entry."""
        await service.pay(ANA, MONTH, "ch-1")
        stars = FakeStars(refusal=UnavailableError())
        with pytest.raises(UnavailableError):
            await PaymentRefunds(service, stars).refund(ANA, "ch-1", actor=DIANA)
        ok = FakeStars()
        with pytest.raises(InvalidInputError):
            await PaymentRefunds(service, ok).refund(ANA, "ch-1", actor=DIANA, reason="x" * 10_000)
        assert ok.refunded == []
        assert (await service.statement(ANA)).history.total == 1
        assert await service.vip.is_vip(ANA)
