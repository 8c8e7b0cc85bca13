"""Paying for VIP in Telegram Stars end to end: /vip, the invoice, the pre-checkout, the payment, a refund.

The product's own composition on memory storage, aiogram polling the fake Bot API; the plans are the
shipped ones (``vip-mensual``: 30 days for 500 Stars; ``vip-trimestral``: 90 days for 1,300).
"""

from datetime import timedelta

import pytest

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, GUARD, World
from yabot_adapters.telegram.stars import TelegramStarRefunds
from yabot_adapters.telegram.testing import FakeTelegramServer, RecordedCall
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import (
    ChargeNotFoundError,
    EntryKind,
    PaymentOwnerError,
    PaymentRefunds,
    StarRefundRefusedError,
    SubscriptionService,
)

MONTHLY = "vip:vip-mensual"
BEA = UserId(5151)


@pytest.fixture(name="service")
def service_fixture(world: World) -> SubscriptionService:
    return world.container.modules().get(SubscriptionsModule).service


@pytest.fixture(name="fan")
async def fan_fixture(world: World) -> Fan:
    """Ana, who has written /start (so Telegram lets Lucien write to her)."""
    fan = Fan(world.server, ANA)
    await fan.command("/start")
    await world.bus.deliver_pending()
    return fan


async def pre_checkout(
    server: FakeTelegramServer, payload: str, amount: int, currency: str = "XTR"
) -> RecordedCall:
    """Ana presses Pay; return the bot's answer."""
    answered = len(server.calls("answerPreCheckoutQuery"))
    server.feed(server.pre_checkout_update(ANA, payload, amount, currency=currency))
    return await server.wait_for_call("answerPreCheckoutQuery", answered + 1, timeout=GUARD)


async def pay(server: FakeTelegramServer, charge: str, *, user_id: int = ANA) -> dict[str, object]:
    """Telegram reports Ana's payment of the monthly plan; return the update (to deliver it again)."""
    update = server.payment_update(user_id, MONTHLY, 500, charge)
    server.feed(update)
    await server.wait_for_confirmation(int(str(update["update_id"])), timeout=GUARD)
    return update


class TestVipCommand:
    async def test_vip_shows_a_fan_without_vip_every_plan_with_a_button(self, fan: Fan) -> None:
        """/vip says Ana is not VIP and lists the shipped plans, one button each, prices from the catalog."""
        screen = await fan.command("/vip")
        assert "por ahora no figura usted entre quienes acompañan a Diana" in screen.text
        assert "<b>VIP · un mes</b>: 30 días por 500 ⭐" in screen.text
        assert screen.labels == ["VIP · un mes · 500 ⭐", "VIP · tres meses · 1.300 ⭐"]

    async def test_vip_shows_until_when_a_vip_is_vip(
        self, fan: Fan, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """A VIP reads the last day of their VIP, in the bot's timezone."""
        await service.grant(ANA, days=10, actor=Actor.operator("diana"), idempotency_key="regalo")
        screen = await fan.command("/vip")
        until = (clock.now() + timedelta(days=10)).strftime("%d/%m/%Y")
        assert f"es usted VIP hasta el <b>{until}</b>" in screen.text


class TestBuying:
    async def test_a_button_sends_an_invoice_in_stars_at_the_catalog_price(
        self, fan: Fan, server: FakeTelegramServer
    ) -> None:
        """A plan's button sends an XTR invoice: no provider token, one price, a payload naming the plan."""
        await fan.command("/vip")
        await fan._press("VIP · tres meses · 1.300 ⭐")
        invoice = await server.wait_for_call("sendInvoice", timeout=GUARD)
        assert invoice.ok
        assert invoice.params["chat_id"] == ANA
        assert invoice.params["currency"] == "XTR"
        assert not invoice.params.get("provider_token")
        assert invoice.params["prices"] == [{"label": "VIP · tres meses", "amount": 1300}]
        assert invoice.params["payload"] == "vip:vip-trimestral"

    async def test_buy_pre_checkout_and_payment_make_a_vip_and_lucien_confirms(
        self,
        fan: Fan,
        world: World,
        server: FakeTelegramServer,
        service: SubscriptionService,
        clock: FakeClock,
    ) -> None:
        """Invoice → pre-checkout ok → payment → VIP for the plan's days, and Lucien says until when."""
        await fan.command("/vip")
        await fan._press("VIP · un mes · 500 ⭐")
        invoice = await server.wait_for_call("sendInvoice", timeout=GUARD)
        answer = await pre_checkout(server, invoice.params["payload"], 500)
        assert answer.params["ok"] is True
        before = len(server.messages(ANA))
        await pay(server, "charge-1")
        messages = await server.wait_for_messages(ANA, before + 1, timeout=GUARD)
        until = clock.now() + timedelta(days=30)
        assert "Pago recibido" in messages[-1]
        assert f"VIP hasta el <b>{until:%d/%m/%Y}</b>" in messages[-1]
        assert await service.vip.vip_until(ANA) == until.replace(microsecond=0)
        assert world.container.modules().get(SubscriptionsModule).vip is service.vip

    @pytest.mark.parametrize(
        ("payload", "amount", "currency", "refusal"),
        [
            pytest.param(MONTHLY, 1, "XTR", "El importe no coincide", id="amount"),
            pytest.param(MONTHLY, 500, "EUR", "El importe no coincide", id="currency"),
            pytest.param("vip:vip-anual", 500, "XTR", "ya no está a la venta", id="unknown-plan"),
            pytest.param("otra-cosa", 500, "XTR", "ya no está a la venta", id="foreign-payload"),
        ],
    )
    async def test_a_pre_checkout_that_does_not_match_the_catalog_is_refused_in_spanish(
        self,
        fan: Fan,
        server: FakeTelegramServer,
        service: SubscriptionService,
        payload: str,
        amount: int,
        currency: str,
        refusal: str,
    ) -> None:
        """Another amount, currency or plan than the catalog's is answered not ok, saying why; no VIP."""
        answer = await pre_checkout(server, payload, amount, currency)
        assert answer.ok
        assert answer.params["ok"] is False
        assert refusal in answer.params["error_message"]
        assert await service.status(ANA) is None

    async def test_a_payment_delivered_twice_extends_once_and_is_confirmed_once(
        self, fan: Fan, server: FakeTelegramServer, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """Telegram delivering the same successful_payment again changes nothing and says nothing more."""
        before = len(server.messages(ANA))
        update = await pay(server, "charge-twice")
        await server.wait_for_messages(ANA, before + 1, timeout=GUARD)
        server.redeliver(update)
        await fan.command("/saldo")  # handled after the redelivery: the bot has read it by now
        statement = await service.statement(ANA)
        assert [entry.kind for entry in statement.history.entries] == [EntryKind.GRANT]
        assert statement.subscription is not None
        assert statement.subscription.vip_until == (clock.now() + timedelta(days=30)).replace(microsecond=0)
        assert sum("Pago recibido" in text for text in server.messages(ANA)) == 1

    async def test_a_second_payment_extends_the_vip(
        self, fan: Fan, server: FakeTelegramServer, service: SubscriptionService, clock: FakeClock
    ) -> None:
        """Another charge adds the plan's days to the end, and Lucien says it was added."""
        before = len(server.messages(ANA))
        await pay(server, "charge-a")
        await pay(server, "charge-b")
        messages = await server.wait_for_messages(ANA, before + 2, timeout=GUARD)
        assert "He sumado <b>VIP · un mes</b>" in messages[-1]
        until = await service.vip.vip_until(ANA)
        assert until == (clock.now() + timedelta(days=60)).replace(microsecond=0)


class TestRefunds:
    async def test_a_refund_gives_the_stars_back_and_takes_the_days_bought(
        self,
        fan: Fan,
        world: World,
        server: FakeTelegramServer,
        service: SubscriptionService,
        clock: FakeClock,
    ) -> None:
        """refundStarPayment is called for the charge's payer; the VIP loses that payment's days; audited."""
        before = len(server.messages(ANA))
        await pay(server, "charge-a")
        await pay(server, "charge-b")
        await server.wait_for_messages(ANA, before + 2, timeout=GUARD)
        refunds = PaymentRefunds(service, TelegramStarRefunds(world.bot))
        change = await refunds.refund(ANA, "charge-b", actor=Actor.operator("diana"), reason="Lo pidió")
        (call,) = server.calls("refundStarPayment")
        assert call.ok
        assert call.params == {"user_id": ANA, "telegram_payment_charge_id": "charge-b"}
        assert change.entry.kind is EntryKind.REFUND
        assert await service.vip.vip_until(ANA) == (clock.now() + timedelta(days=30)).replace(microsecond=0)
        audit = await world.storage.audit_queries.page(limit=10, offset=0)
        assert [entry.action for entry in audit.entries] == ["subscriptions.refund"]
        again = await refunds.refund(ANA, "charge-b", actor=Actor.operator("diana"))
        assert again.replayed
        assert len(server.calls("refundStarPayment")) == 2  # Telegram said it was refunded already

    async def test_a_refund_of_an_unknown_or_another_fans_charge_changes_nothing(
        self, fan: Fan, world: World, server: FakeTelegramServer, service: SubscriptionService
    ) -> None:
        """No Telegram call and no change for a charge nobody paid, or that another fan paid."""
        before = len(server.messages(ANA))
        await pay(server, "charge-a")
        await server.wait_for_messages(ANA, before + 1, timeout=GUARD)
        refunds = PaymentRefunds(service, TelegramStarRefunds(world.bot))
        with pytest.raises(ChargeNotFoundError):
            await refunds.refund(ANA, "charge-nadie", actor=Actor.operator("diana"))
        with pytest.raises(PaymentOwnerError):
            await refunds.refund(BEA, "charge-a", actor=Actor.operator("diana"))
        assert server.calls("refundStarPayment") == []
        assert (await service.statement(ANA)).history.total == 1

    async def test_telegram_refusing_the_refund_leaves_the_vip_alone(
        self, fan: Fan, world: World, server: FakeTelegramServer, service: SubscriptionService
    ) -> None:
        """A refund Telegram refuses raises its reason in Spanish and takes no day back."""
        before = len(server.messages(ANA))
        await pay(server, "charge-a")
        await server.wait_for_messages(ANA, before + 1, timeout=GUARD)
        server.fail("refundStarPayment", 400, "Bad Request: CHARGE_NOT_FOUND")
        refunds = PaymentRefunds(service, TelegramStarRefunds(world.bot))
        with pytest.raises(StarRefundRefusedError, match="Telegram no ha reembolsado"):
            await refunds.refund(ANA, "charge-a", actor=Actor.operator("diana"))
        assert (await service.statement(ANA)).history.total == 1


class TestOddPayments:
    async def test_a_payment_for_a_withdrawn_plan_is_acknowledged_and_left_to_an_admin(
        self, fan: Fan, server: FakeTelegramServer, service: SubscriptionService
    ) -> None:
        """A plan gone between pre-checkout and payment: no VIP guessed; Lucien gives the charge to quote."""
        before = len(server.messages(ANA))
        server.feed(server.payment_update(ANA, "vip:vip-anual", 5000, "charge-huérfano"))
        (*_, reply) = await server.wait_for_messages(ANA, before + 1, timeout=GUARD)
        assert "ya no figura en el catálogo" in reply
        assert "<code>charge-huérfano</code>" in reply
        assert await service.status(ANA) is None
