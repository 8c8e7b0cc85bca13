"""/subastas end to end: cards with bid buttons, one bid per tap, the outbid told at once, the close on time.

The product's own composition on memory storage, aiogram polling a fake Bot API server, the shipped catalog.
"""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Final

import pytest

from tests.integration.inventory_fan import Fan, Screen
from tests.integration.telegram_world import GUARD, WELCOME, World
from yabot_adapters.telegram.keyboards.auctions import code_of
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.auctions import AuctionsModule
from yabot_app.modules.inventory import InventoryModule
from yabot_core.auctions import Auctions
from yabot_core.kernel import FakeClock, UserId
from yabot_core.wallet import ADMIN_GRANT

ANA: Final = UserId(4242)
BEA: Final = UserId(4343)
KEY: Final = "llave-dorada"
FUNDS: Final = 100


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server)
    await world.start_polling()
    yield world
    await world.close()


async def press(world: World, fan: Fan, label: str, *, tap: str) -> str:
    """Press a button of the fan's last screen (the tap's id names the press); return the bot's notice."""
    answered = len(world.server.calls("answerCallbackQuery"))
    world.server.feed(
        {
            "update_id": world.server.next_update_id(),
            "callback_query": {
                "id": tap,
                "from": {"id": fan.user_id, "is_bot": False, "first_name": fan.first_name},
                "chat_instance": "ci",
                "message": {
                    "message_id": 777,
                    "date": 1,
                    "chat": {"id": fan.user_id, "type": "private", "first_name": fan.first_name},
                    "text": "…",
                },
                "data": fan.screen.data(label),
            },
        }
    )
    answer = await world.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)
    return str(answer.params.get("text"))


async def settle(world: World) -> None:
    """Fire what is due and deliver what it causes, until nothing is left."""
    ticker = world.container.ticker()
    for _ in range(10):
        fired = await ticker.fire_due()
        delivered = await world.bus.deliver_pending()
        if not fired and not delivered:
            return
    msg = "timers and events kept coming"
    raise AssertionError(msg)


async def test_bids_outbid_notice_and_the_close(
    world: World, server: FakeTelegramServer, clock: FakeClock
) -> None:
    """Quick bids hold besitos, a repeated tap bids once, the outbid hears at once, the close pays once."""
    ana, bea = Fan(server, ANA, "Ana"), Fan(server, BEA, "Bea")
    for fan in (ana, bea):
        await fan.command("/start")
        await world.wallet.credit(fan.user_id, FUNDS, ADMIN_GRANT, idempotency_key=f"fondos-{fan.user_id}")
    await world.bus.deliver_pending()
    auctions: Auctions = world.container.modules().get(AuctionsModule).auctions
    auction = await auctions.create(
        KEY, ends_at=clock.now() + timedelta(hours=1), minimum_bid=10, increment=5
    )

    card = await ana.command("/subastas")
    assert "Subasta: Llave dorada" in card.text
    assert card.labels == ["Pujar 10", "Pujar 15", "Pujar 30", "Otra cantidad"]
    notice = await press(world, ana, "Pujar 10", tap="tap-ana-1")
    assert notice.startswith("Su puja de 10 besitos va en cabeza.")
    await press(world, ana, "Pujar 10", tap="tap-ana-1")  # the same tap, delivered again
    assert (await auctions.get(auction.auction_id)).bids == 1
    assert (await world.wallet.balance(ANA)).held == 10

    await bea.command("/subastas")
    await press(world, bea, "Pujar 15", tap="tap-bea-1")
    await world.bus.deliver_pending()
    outbid = _last_screen(server, ANA)
    assert outbid.text.startswith(
        "Lamento comunicarle que alguien ha superado su puja por <b>Llave dorada</b>"
    )
    assert outbid.labels == ["Volver a pujar"]
    assert (await world.wallet.balance(ANA)).balance == WELCOME + FUNDS

    code = code_of(auction)
    refused = await world.say(f"/pujar {code} 5000", user_id=ANA)
    assert "No hay besitos suficientes" in refused
    assert (await world.wallet.balance(ANA)).balance == WELCOME + FUNDS
    placed = await world.say(f"/pujar {code} 20", user_id=ANA)
    assert "Su puja de 20 besitos va en cabeza." in placed

    clock.advance(timedelta(hours=1))
    await settle(world)
    closed = await auctions.get(auction.auction_id)
    assert closed.winner_id == ANA
    assert (await world.wallet.balance(ANA)).balance == WELCOME + FUNDS - 20
    assert (await world.wallet.balance(ANA)).held == 0
    assert (await world.wallet.balance(BEA)).balance == WELCOME + FUNDS
    mochila = world.container.modules().get(InventoryModule).mochila
    assert (await mochila.item(ANA, KEY)).quantity == 1
    won = [t for t in server.messages(ANA) if t.startswith("¡Enhorabuena")]
    assert won == [
        "¡Enhorabuena, Ana! Ha ganado la subasta de <b>Llave dorada</b> por 20 besitos."
        " Ya lo he guardado en su mochila."
    ]


def _last_screen(server: FakeTelegramServer, chat_id: int) -> Screen:
    sent = [call for call in server.calls("sendMessage") if call.params.get("chat_id") == chat_id]
    return Screen.of(sent[-1])
