"""The economy's journey through the fake Bot API: reactions → besitos → a mission → logros → the tienda.

The product's own composition on a SQLite file, aiogram polling the fake Bot API; the reactions, the
mission «tres-reacciones» and the logros are the shipped ones. The creator's only file gives the rose a
stock of 5, so the tienda has units to count. Telegram delivers a press and a purchase twice, as it does
after a crash; at the end every reward was paid once and the reconciliation finds nothing to say.
"""

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import pytest

from tests.integration.inventory_fan import Fan
from tests.integration.telegram_world import ANA, GUARD, WELCOME, World
from tests.integration.test_telegram_achievements import settle
from tests.integration.test_telegram_reactions import CANAL
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.operations import OperationsModule
from yabot_app.modules.reactions import ReactionsModule
from yabot_core.inventory import ItemId
from yabot_core.kernel import FakeClock

ROSE: Final = ItemId("rosa-roja")
CHANNELS: Final = (CANAL, CANAL - 1, CANAL - 2)
"""Three channels, one post each: Telegram's one message a second is per chat."""
ROSES_IN_STOCK: Final = """\
objetos:
  - id: rosa-roja
    nombre: Rosa roja
    descripcion: Una rosa del jardín de Diana. Lucien las corta cada mañana.
    tipo: objeto
    apilable: sí
    cantidad_maxima: 12
    precio: 10
    existencias: 5
"""
REACTION, MISSION, FIRST_REACTION, FIRST_MISSION, FIRST_PURCHASE, PRICE = 1, 10, 5, 10, 5, 10
"""What a reaction, «tres-reacciones», and the logros «Primera reacción», «Al servicio de Diana» and
«Primera compra» pay, and what a rose costs."""


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer, tmp_path: Path) -> AsyncIterator[World]:
    content = tmp_path / "content"
    content.mkdir()
    (content / "objetos.yaml").write_text(ROSES_IN_STOCK, encoding="utf-8")
    for channel in CHANNELS:
        server.introduce({"update_id": 0, "channel_post": {"chat": {"id": channel, "type": "channel"}}})
    world = World(
        clock,
        server,
        storage="sqlite",
        data_dir=str(tmp_path),
        reaction_refresh_seconds=0,
        telegram_user_rate=0,  # Ana taps faster than a fan would; the throttle has its own tests
    )
    await world.storage.open()
    await world.start_polling()
    yield world
    await world.close()
    await world.storage.close()


async def tap(world: World, message_id: int, chat: int) -> tuple[str, dict[str, Any]]:
    """Press the post's 🔥 as Ana; return the notice she saw and the update, to deliver it again."""
    answered = len(world.server.calls("answerCallbackQuery"))
    update = world.server.feed(
        {
            "update_id": world.server.next_update_id(),
            "callback_query": {
                "id": f"tap-{message_id}-{chat}",
                "from": {"id": ANA, "is_bot": False, "first_name": "Ana"},
                "chat_instance": "ci",
                "message": {
                    "message_id": message_id,
                    "date": 1,
                    "chat": {"id": chat, "type": "channel", "title": "Diana"},
                    "text": "Hoy",
                },
                "data": "rx:1",
            },
        }
    )
    answer = await world.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)
    return str(answer.params.get("text")), update


async def told(world: World, fragment: str) -> None:
    """Wait until Lucien has told Ana something containing ``fragment``."""
    await world.server.wait_until(
        lambda: any(fragment in text for text in world.server.messages(ANA)), timeout=GUARD
    )


async def test_reactions_pay_a_mission_and_logros_that_buy_a_rose_each_reward_once(world: World) -> None:
    """Three posts reacted to, a press and a purchase delivered twice: each reward once, books that agree."""
    fan = Fan(world.server, ANA)
    await fan.command("/start")
    await settle(world)  # the welcome gift, and the missions given on registration
    modules = world.container.modules()
    posts = modules.get(ReactionsModule).posts
    assert posts is not None

    first = await posts.publish(CHANNELS[0], "Hoy, en el invernadero…")
    notice, press = await tap(world, first, CHANNELS[0])
    assert notice == "Reacción anotada: un besito más en su cuenta."
    await settle(world)
    await told(world, "el logro <b>Primera reacción</b>")
    answered = len(world.server.calls("answerCallbackQuery"))
    world.server.redeliver(press)  # the bot crashed before confirming it: Telegram sends it again
    again = await world.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)
    # The same press (its callback query id) finds itself applied: the reaction stays, nothing is paid again.
    assert again.params.get("text") == "Reacción cambiada a 🔥. Los besitos de esta publicación ya los tenía."
    await settle(world)
    assert (await world.wallet.balance(ANA)).balance == WELCOME + REACTION + FIRST_REACTION
    missions = await fan.command("/misiones")
    assert "<b>Tres reacciones</b>" in missions.text
    assert "1/3" in missions.text

    for channel in CHANNELS[1:]:
        message_id = await posts.publish(channel, "Y esta tarde, en la biblioteca…")
        notice, _ = await tap(world, message_id, channel)
        assert notice == "Reacción anotada: un besito más en su cuenta."
    await settle(world)
    await told(world, "Ha cumplido la misión <b>Tres reacciones</b>")
    await told(world, "el logro <b>Al servicio de Diana</b>")
    earned = WELCOME + 3 * REACTION + FIRST_REACTION + MISSION + FIRST_MISSION
    assert (await world.wallet.balance(ANA)).balance == earned

    shop = await fan.command("/tienda")
    assert f"Tiene usted <b>{earned} besitos</b>" in shop.text
    item = await fan.press("Rosa roja · 10")
    assert "Quedan 5 unidades." in item.text
    confirm = await fan.press(f"Comprar por {PRICE}")
    bought = await fan.press("Sí, comprar")
    assert f"Le quedan <b>{earned - PRICE} besitos</b>" in bought.text
    await fan.press_again()  # Telegram delivers the confirmation once more
    fan.screen = confirm  # and Ana taps the same « Sí, comprar » again
    again = await fan.press("Sí, comprar")
    assert "Esa compra ya está hecha" in again.text
    await settle(world)
    await told(world, "el logro <b>Primera compra</b>")

    mochila = await fan.command("/mochila")
    assert "• <b>Rosa roja</b> × 1" in mochila.text
    await fan.command("/tienda")
    assert "Quedan 4 unidades." in (await fan.press("Rosa roja · 10")).text
    await settle(world)

    statement = await world.wallet.statement(ANA, limit=50)
    entries = statement.history.entries
    assert Counter(str(entry.reason) for entry in entries) == Counter(
        {"welcome_gift": 1, "reaction_reward": 3, "mission_reward": 1, "achievement_reward": 3, "purchase": 1}
    )
    assert len({entry.idempotency_key for entry in entries}) == len(entries)
    assert statement.balance.balance == earned - PRICE + FIRST_PURCHASE
    assert statement.balance.balance == sum(entry.amount for entry in entries)
    assert await world.storage.wallet_audit.ledger_mismatches() == []  # every wallet, not only Ana's
    texts = world.server.messages(ANA)
    for celebrated in (
        "Ha cumplido la misión <b>Tres reacciones</b>",
        "el logro <b>Primera reacción</b>",
        "el logro <b>Al servicio de Diana</b>",
        "el logro <b>Primera compra</b>",
    ):
        assert sum(celebrated in text for text in texts) == 1, celebrated
    assert (await modules.get(InventoryModule).mochila.item(ANA, ROSE)).quantity == 1
    assert await world.storage.store_queries.sold([ROSE]) == {ROSE: 1}
    assert await world.storage.store_queries.bought(ANA, [ROSE]) == {ROSE: 1}
    report = await modules.get(OperationsModule).reconciliation.run()
    assert report.findings == ()
