"""The VIP promise in one journey, as a fan lives it, through the fake Bot API server with a fake clock.

Ana buys a month with Stars (Telegram delivers the payment twice), gets her personal link, comes in, renews
before the first reminder, is reminded 72 h and 24 h before the new end, once each, and at the end is shown
out (ban, then unban) and told by Lucien. Each step reads what Telegram was asked, as Ana's phone would.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, GUARD, World
from tests.integration.test_vip_door import VIP_CHANNEL, at, methods, settle
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.kernel import FakeClock
from yabot_core.subscriptions import EntryKind, SubscriptionService, SubscriptionStatus

MONTHLY = "vip:vip-mensual"


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def pay(world: World, server: FakeTelegramServer, charge: str) -> dict[str, object]:
    """Telegram reports Ana's payment of the monthly plan; return the update (to deliver it again)."""
    update = server.payment_update(ANA, MONTHLY, 500, charge)
    server.feed(update)
    await server.wait_for_confirmation(int(str(update["update_id"])), timeout=GUARD)
    await settle(world)
    return update


async def test_buy_link_join_renew_reminders_expiry(server: FakeTelegramServer) -> None:
    # The fake server dates updates by the wall clock; the fake clock starts there so both agree.
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    world = World(clock, server, vip_channel_id=VIP_CHANNEL)
    service: SubscriptionService = world.container.modules().get(SubscriptionsModule).service
    try:
        await world.start_polling()
        fan = Fan(server, ANA)
        await fan.command("/start")
        await settle(world)

        # Buy: the plan's button sends an XTR invoice; the pre-checkout is checked against the catalog.
        await fan.command("/vip")
        await fan._press("VIP · un mes · 500 ⭐")
        invoice = await server.wait_for_call("sendInvoice", timeout=GUARD)
        assert invoice.params["currency"] == "XTR"
        server.feed(server.pre_checkout_update(ANA, invoice.params["payload"], 500))
        answer = await server.wait_for_call("answerPreCheckoutQuery", timeout=GUARD)
        assert answer.params["ok"] is True

        # The payment arrives twice: one month, one history entry, one link.
        update = await pay(world, server, "charge-1")
        server.redeliver(update)
        await server.wait_for_confirmation(int(str(update["update_id"])), timeout=GUARD)
        await settle(world)
        first_end = clock.now() + timedelta(days=30)
        statement = await service.statement(ANA)
        assert [entry.kind for entry in statement.history.entries] == [EntryKind.GRANT]
        assert await service.vip.vip_until(ANA) == first_end
        (link_call,) = server.calls("createChatInviteLink")
        assert link_call.params["member_limit"] == 1
        assert link_call.params["name"] == f"vip-{ANA}"
        texts = server.messages(ANA)
        assert sum("Pago recibido" in text for text in texts) == 1
        assert sum("t.me/+fake" in text for text in texts) == 1

        # She comes in through her own link: nobody is shown out.
        link = next(iter(server.channels.links))
        joined = server.feed(server.chat_member_update(VIP_CHANNEL, ANA, link=link))
        await server.wait_for_confirmation(joined["update_id"], timeout=GUARD)
        assert server.channels.status(VIP_CHANNEL, ANA) == "member"

        # Renewal 80 h before the end: the end moves 30 days; the old end's reminders and expiry are gone.
        await at(world, clock, first_end - timedelta(hours=80))
        said = len(server.messages(ANA))
        await pay(world, server, "charge-2")
        new_end = first_end + timedelta(days=30)
        assert await service.vip.vip_until(ANA) == new_end
        assert len(server.calls("createChatInviteLink")) == 1  # she is inside: no new link
        said = len(await server.wait_for_messages(ANA, said + 1, timeout=GUARD))  # "Pago recibido"
        await at(world, clock, first_end + timedelta(hours=1))
        assert len(server.messages(ANA)) == said
        assert methods(server, "banChatMember") == []

        # The new end's reminders, once each.
        await at(world, clock, new_end - timedelta(hours=72))
        texts = await server.wait_for_messages(ANA, said + 1, timeout=GUARD)
        assert "tres días" in texts[-1]
        await at(world, clock, new_end - timedelta(hours=30))
        assert len(server.messages(ANA)) == said + 1
        await at(world, clock, new_end - timedelta(hours=24))
        texts = await server.wait_for_messages(ANA, said + 2, timeout=GUARD)
        assert "mañana" in texts[-1]

        # The end: shown out (ban, then unban, so she can come back) and told, once.
        await at(world, clock, new_end)
        texts = await server.wait_for_messages(ANA, said + 3, timeout=GUARD)
        assert "llegado a su fin" in texts[-1]
        assert methods(server, "banChatMember", "unbanChatMember") == ["banChatMember", "unbanChatMember"]
        assert server.channels.status(VIP_CHANNEL, ANA) == "left"
        status = await service.status(ANA)
        assert status is not None
        assert status.status(clock.now()) is SubscriptionStatus.ENDED
        await at(world, clock, new_end + timedelta(days=2))
        assert len(server.messages(ANA)) == said + 3
        assert len(server.calls("banChatMember")) == 1
    finally:
        await world.close()
