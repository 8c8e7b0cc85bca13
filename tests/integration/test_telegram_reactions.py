"""Reactions end to end: posts with buttons, presses, a group's reactions, all through the fake Bot API.

The rules are the shipped ones (``yabot_app/content/reactions.yaml``: a besito a reaction, four buttons,
💋 also gives half of Diana's letter); button counts are refreshed at most every 0.2 s per chat here.
"""

from collections.abc import AsyncIterator
from typing import Any, Final

import pytest

from tests.integration.telegram_world import ANA, GUARD, SALON, WELCOME, World
from yabot_adapters.telegram.middlewares import track_updates
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.reactions import ReactionsModule
from yabot_core.inventory import ItemId
from yabot_core.kernel import FakeClock, UserId

CANAL: Final = -1009876543210
LEFT_HALF: Final = ItemId("carta-rota-izquierda")


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    server.introduce(
        {"update_id": 0, "channel_post": {"chat": {"id": CANAL, "type": "channel", "title": "Diana"}}}
    )
    world = World(clock, server, reaction_refresh_seconds=0.2)
    await world.start_polling()
    yield world
    await world.close()


def module(world: World) -> ReactionsModule:
    return world.container.modules().get(ReactionsModule)


async def press(
    world: World, user_id: int, message_id: int, index: int, first_name: str = "Ana", chat: int = CANAL
) -> str:
    """Press the reaction button at ``index`` under the post; return the notice the bot answered with."""
    answered = len(world.server.calls("answerCallbackQuery"))
    world.server.feed(
        {
            "update_id": world.server.next_update_id(),
            "callback_query": {
                "id": f"press-{user_id}-{answered}",
                "from": {"id": user_id, "is_bot": False, "first_name": first_name},
                "chat_instance": "ci",
                "message": {
                    "message_id": message_id,
                    "date": 1,
                    "chat": {"id": chat, "type": "channel", "title": "Diana"},
                    "text": "Hola",
                },
                "data": f"rx:{index}",
            },
        }
    )
    answer = await world.server.wait_for_call("answerCallbackQuery", answered + 1, timeout=GUARD)
    return str(answer.params.get("text"))


def reaction_update(world: World, user_id: int, message_id: int, *emojis: str) -> dict[str, Any]:
    return {
        "update_id": world.server.next_update_id(),
        "message_reaction": {
            "chat": {"id": SALON, "type": "supergroup", "title": "Salón de Diana"},
            "message_id": message_id,
            "user": {"id": user_id, "is_bot": False, "first_name": "Ana"},
            "date": 1,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": emoji} for emoji in emojis],
        },
    }


async def handled(world: World, update: dict[str, Any]) -> None:
    """Wait until the bot took ``update`` and finished handling everything it took."""
    await world.server.wait_for_confirmation(update["update_id"], timeout=GUARD)
    assert await track_updates(world.dp).wait_idle(GUARD)


def labels(call_params: dict[str, Any]) -> list[str]:
    return [button["text"] for button in call_params["reply_markup"]["inline_keyboard"][0]]


async def balance(world: World, user: int = ANA) -> int:
    return (await world.wallet.balance(UserId(user))).balance


async def test_a_post_carries_buttons_and_a_press_pays_once(world: World) -> None:
    """The first press pays a besito; taking it back, changing it or pressing again pays nothing more."""
    posts = module(world).posts
    assert posts is not None
    message_id = await posts.publish(CANAL, "Hoy, en el invernadero…")
    (sent,) = world.server.calls("sendMessage")
    assert sent.params["chat_id"] == CANAL
    assert labels(sent.params) == ["❤️", "🔥", "😍", "💋"]

    assert await press(world, ANA, message_id, 0) == "Reacción anotada: un besito más en su cuenta."
    assert await press(world, ANA, message_id, 0) == (
        "Reacción retirada. Los besitos que ganó con ella siguen siendo suyos."
    )
    assert await press(world, ANA, message_id, 1) == (
        "Reacción cambiada a 🔥. Los besitos de esta publicación ya los tenía."
    )
    await world.bus.deliver_pending()  # the welcome gift (their first word was a press) and a logro
    assert await balance(world) == WELCOME + 1 + 5  # the logro «Primera reacción» pays 5
    buttons = module(world).buttons
    assert buttons is not None
    await buttons.idle()
    last = world.server.calls("editMessageReplyMarkup")[-1]
    assert (last.params["chat_id"], last.params["message_id"]) == (CANAL, message_id)
    assert labels(last.params) == ["❤️", "🔥 1", "😍", "💋"]


async def test_a_special_reaction_gives_its_pista(world: World) -> None:
    """💋 as a first reaction pays the besito and puts half of Diana's letter in the mochila."""
    posts = module(world).posts
    assert posts is not None
    message_id = await posts.publish(CANAL, "Un secreto…")
    notice = await press(world, ANA, message_id, 3)
    assert notice == "Reacción anotada: un besito más. Y algo para su mochila: Media carta (izquierda)."
    mochila = world.container.modules().get(InventoryModule).mochila
    assert (await mochila.item(UserId(ANA), LEFT_HALF)).quantity == 1


async def test_a_burst_of_presses_costs_a_few_edits_and_shows_the_last_count(world: World) -> None:
    """Twelve fans pressing at once: far fewer than twelve edits, and the last one shows all twelve."""
    posts = module(world).posts
    buttons = module(world).buttons
    assert posts is not None
    assert buttons is not None
    message_id = await posts.publish(CANAL, "¿Les gusta?")
    for fan in range(12):
        await press(world, 5000 + fan, message_id, 2)
    await buttons.idle()
    edits = world.server.calls("editMessageReplyMarkup")
    assert 1 <= len(edits) < 12
    assert labels(edits[-1].params) == ["❤️", "🔥", "😍 12", "💋"]


async def test_a_group_reaction_delivered_twice_pays_once(world: World) -> None:
    """A message_reaction pays the fan once; its redelivery, a change and a removal pay nothing."""
    first = world.server.feed(reaction_update(world, ANA, 31, "👍"))
    await handled(world, first)
    world.server.redeliver(first)
    await handled(world, world.server.feed(reaction_update(world, ANA, 31, "🔥")))
    await handled(world, world.server.feed(reaction_update(world, ANA, 31)))
    await handled(world, world.server.feed(reaction_update(world, ANA, 32, "🔥")))
    assert await balance(world) == 2  # never registered by talking: no welcome gift, two messages paid
    assert world.server.messages(SALON) == []


async def test_message_reaction_is_asked_for(world: World) -> None:
    """Polling asks Telegram for message_reaction updates (it never sends them unasked)."""
    polls = world.server.calls("getUpdates")
    assert "message_reaction" in polls[0].params["allowed_updates"]


async def test_flood_control_on_an_edit_is_waited_out_and_the_count_still_shows(world: World) -> None:
    """Telegram's 429 on the first edit pauses the sender; the counts are edited again after the pause."""
    posts = module(world).posts
    buttons = module(world).buttons
    assert posts is not None
    assert buttons is not None
    message_id = await posts.publish(CANAL, "¿Y esto?")
    world.server.fail(
        "editMessageReplyMarkup", 429, "Too Many Requests: retry after 1", times=1, retry_after=1
    )
    await press(world, ANA, message_id, 0)
    await buttons.idle()
    edits = world.server.calls("editMessageReplyMarkup")
    assert [edit.status for edit in edits] == [429, 200]
    assert labels(edits[-1].params) == ["❤️ 1", "🔥", "😍", "💋"]
