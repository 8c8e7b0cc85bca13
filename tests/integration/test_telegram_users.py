"""Who is a user: talking to the bot registers, blocking it makes one unreachable, non-persons are ignored."""

import logging
import time
from typing import Any

import pytest
from aiogram import Router
from aiogram.types import CallbackQuery

from tests.integration.telegram_world import ANA, GUARD, SALON, World
from yabot_adapters.telegram import track_updates
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock, UserId
from yabot_core.wallet import ADMIN_GRANT

BRUNO = UserId(5151)
CARLA = UserId(6161)
GROUP_ANONYMOUS_BOT = 1087968824
"""The user Telegram names as the sender of an anonymous admin's messages in a group."""
CHANNEL = -1009876543210


def person(user_id: int, first_name: str = "Ana") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name}


def bot_account(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": True, "first_name": "Robotina", "username": "robotina_bot"}


def status_change(server: FakeTelegramServer, user_id: int, old: str, new: str) -> dict[str, Any]:
    """A ``my_chat_member`` update: the user's private chat with the bot changed the bot's status."""
    bot = {"id": server.bot_id, "is_bot": True, "first_name": server.bot_first_name}

    def member(status: str) -> dict[str, Any]:
        return {"status": status, "user": bot, **({"until_date": 0} if status == "kicked" else {})}

    return {
        "update_id": server.next_update_id(),
        "my_chat_member": {
            "chat": {"id": user_id, "type": "private", "first_name": "Ana"},
            "from": person(user_id),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        },
    }


def reaction(server: FakeTelegramServer, user_id: int) -> dict[str, Any]:
    return {
        "update_id": server.next_update_id(),
        "message_reaction": {
            "chat": {"id": SALON, "type": "supergroup", "title": "Salón de Diana"},
            "message_id": 7,
            "user": person(user_id),
            "date": int(time.time()),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "❤"}],
        },
    }


def poll_answer(server: FakeTelegramServer, user_id: int) -> dict[str, Any]:
    return {
        "update_id": server.next_update_id(),
        "poll_answer": {
            "poll_id": "trivia-1",
            "user": person(user_id),
            "option_ids": [0],
            "option_persistent_ids": ["a"],
        },
    }


def button_press(server: FakeTelegramServer, user_id: int) -> dict[str, Any]:
    message = server.message_update(user_id, "Menú")["message"]
    return {
        "update_id": server.next_update_id(),
        "callback_query": {
            "id": f"press-{user_id}",
            "from": person(user_id, "Carla"),
            "chat_instance": "ci-1",
            "message": message,
            "data": "nada",
        },
    }


def _buttons() -> Router:
    """A router that answers button presses, as the modules with inline keyboards do (so Telegram sends
    them: the bot asks only for the update types its routers handle)."""
    router = Router(name="test-buttons")

    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    router.callback_query.register(pressed)
    return router


async def handled(world: World, update: dict[str, Any]) -> None:
    """Wait until ``update`` was taken from Telegram and every update taken so far was fully handled."""
    await world.server.wait_for_confirmation(update["update_id"], timeout=GUARD)
    assert await track_updates(world.dp).wait_idle(GUARD)


async def registered_ids(world: World) -> list[int]:
    await world.bus.deliver_pending()
    return [event.user_id for event in world.registered]


class TestWhoIsAUser:
    async def test_only_talking_to_the_bot_registers(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Group chatter, reactions, poll answers and blocks register nobody; a private word or a press do."""
        world = World(clock, server, routers=[_buttons()])
        await world.start_polling()
        try:
            await self._only_talking_registers(world, server)
        finally:
            await world.close()

    async def _only_talking_registers(self, world: World, server: FakeTelegramServer) -> None:
        server.feed(server.group_message_update(SALON, ANA, "hola a todos"))
        server.feed(reaction(server, ANA))
        server.feed(poll_answer(server, ANA))
        last = server.feed(status_change(server, BRUNO, "member", "kicked"))
        await handled(world, last)
        assert await registered_ids(world) == []
        assert await world.storage.user_queries.get(BRUNO) is None

        await world.say("hola", user_id=BRUNO, first_name="Bruno")
        await handled(world, server.feed(button_press(server, CARLA)))
        assert sorted(await registered_ids(world)) == [BRUNO, CARLA]
        statement = await world.wallet.statement(ANA, limit=10)
        reasons = {str(entry.reason) for entry in statement.history.entries}
        assert "welcome_gift" not in reasons  # no welcome gift for lurkers (their group reaction pays)

    @pytest.mark.parametrize(
        ("chat", "sender"),
        [
            pytest.param("private", {"from": bot_account(777)}, id="bot-account-in-private"),
            pytest.param("private", {"sender_chat": "channel"}, id="chat-only-in-private"),
            pytest.param(
                "group", {"from": bot_account(GROUP_ANONYMOUS_BOT), "sender_chat": "group"}, id="anon-admin"
            ),
            pytest.param("group", {"sender_chat": "channel"}, id="channel-into-group"),
        ],
    )
    async def test_a_start_from_no_person_is_ignored(
        self,
        world: World,
        server: FakeTelegramServer,
        caplog: pytest.LogCaptureFixture,
        chat: str,
        sender: dict[str, Any],
    ) -> None:
        """/start from a bot account or on behalf of a chat gets no reply, no apology, registers nobody."""
        update = (
            server.message_update(777, "/start")
            if chat == "private"
            else server.group_message_update(SALON, 777, "/start")
        )
        message = update["message"]
        del message["from"]
        chats = {
            "channel": {"id": CHANNEL, "type": "channel", "title": "Canal de Diana"},
            "group": message["chat"],
        }
        message.update(
            {key: chats[value] if key == "sender_chat" else value for key, value in sender.items()}
        )
        with caplog.at_level(logging.INFO, logger="yabot_adapters.telegram.errors"):
            await handled(world, server.feed(update))
        assert server.calls("sendMessage") == []
        assert [r for r in caplog.records if r.name == "yabot_adapters.telegram.errors"] == []
        assert await registered_ids(world) == []
        assert "Le doy la bienvenida" in await world.say("/start")  # people are served as ever


class TestBlocking:
    async def test_a_block_marks_the_user_unreachable_until_they_return(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """Blocking the bot marks the user unreachable; unblocking, or writing again, makes them reachable."""
        await world.say("/start")
        await handled(world, server.feed(status_change(server, ANA, "member", "kicked")))
        assert not (await world.users.get(ANA)).reachable

        await handled(world, server.feed(status_change(server, ANA, "kicked", "member")))
        assert (await world.users.get(ANA)).reachable

        await handled(world, server.feed(status_change(server, ANA, "member", "kicked")))
        assert "de vuelta" in await world.say("/start")
        assert (await world.users.get(ANA)).reachable
        assert await registered_ids(world) == [ANA]

    async def test_a_grant_to_a_user_who_blocked_the_bot_marks_them_unreachable(
        self, world: World, server: FakeTelegramServer
    ) -> None:
        """When Telegram answers 403 to Diana's news, the user is marked unreachable; the event is done."""
        await world.say("/start")
        await world.bus.deliver_pending()
        server.block(ANA)
        await world.wallet.credit(ANA, 25, ADMIN_GRANT, idempotency_key="grant-1")
        await world.bus.deliver_pending()

        assert [call.status for call in server.calls("sendMessage")] == [200, 403]
        assert not (await world.users.get(ANA)).reachable
        assert await world.storage.dead_letter_queries.list() == []
        assert await world.storage.outbox.backlog() == {}
        assert [event.user_id for event in world.registered] == [ANA]
