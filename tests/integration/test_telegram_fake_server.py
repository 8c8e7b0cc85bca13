"""The fake Bot API server keeps Telegram's rules, so tests of the bot against it mean something."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from yabot_adapters.telegram.testing import FakeTelegramServer, FloodControl


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture(name="http")
async def http_fixture() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    server: FakeTelegramServer,
    method: str,
    *,
    form: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    url = f"{server.base_url}/bot{token or server.token}/{method}"
    async with http.post(url, data=form, json=body) as response:
        return response.status, await response.json()


async def update_ids(http: aiohttp.ClientSession, server: FakeTelegramServer, **params: Any) -> list[int]:
    status, answer = await call(http, server, "getUpdates", body=params)
    assert status == 200
    return [update["update_id"] for update in answer["result"]]


class TestUpdates:
    async def test_an_update_is_served_until_a_later_offset_confirms_it(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """Updates stay queued until getUpdates passes an offset above their id, as in Telegram."""
        first = server.feed(server.message_update(1, "/start"))["update_id"]
        second = server.feed(server.message_update(1, "hola"))["update_id"]
        assert await update_ids(http, server) == [first, second]
        assert await update_ids(http, server) == [first, second]
        assert await update_ids(http, server, offset=first + 1) == [second]
        assert await update_ids(http, server, offset=second + 1) == []
        assert server.pending_updates == 0

    async def test_limit_and_negative_offset(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """``limit`` caps a batch; a negative offset keeps only the latest updates and forgets the rest."""
        ids = [server.feed(server.message_update(1, str(n)))["update_id"] for n in range(4)]
        assert await update_ids(http, server, limit=2) == ids[:2]
        assert await update_ids(http, server, offset=-1) == ids[-1:]
        assert server.pending_updates == 1

    async def test_a_long_poll_returns_as_soon_as_an_update_arrives(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """A waiting getUpdates answers the moment an update is fed, not at its timeout."""
        poll = asyncio.create_task(update_ids(http, server, timeout=30))
        await server.wait_for_call("getUpdates")
        update = server.feed(server.message_update(1, "/start"))
        assert await asyncio.wait_for(poll, timeout=2) == [update["update_id"]]

    async def test_stopping_answers_waiting_polls(self, http: aiohttp.ClientSession) -> None:
        """Stopping the server ends a pending long poll at once."""
        server = FakeTelegramServer()
        await server.start()
        poll = asyncio.create_task(update_ids(http, server, timeout=30))
        await server.wait_for_call("getUpdates")
        await asyncio.wait_for(server.stop(), timeout=2)
        assert await asyncio.wait_for(poll, timeout=2) == []

    async def test_redeliver_serves_a_confirmed_update_once_more(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """A redelivered update reaches a poller past its offset exactly once."""
        update = server.feed(server.message_update(1, "/start"))
        after = update["update_id"] + 1
        await update_ids(http, server)
        assert await update_ids(http, server, offset=after) == []
        server.redeliver(update)
        assert await update_ids(http, server, offset=after) == [update["update_id"]]
        assert await update_ids(http, server, offset=after) == []

    async def test_allowed_updates_persist_and_filter(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """Only the update types last asked for are delivered; others are dropped."""
        server.feed(server.message_update(1, "/start"))
        assert await update_ids(http, server, allowed_updates=["callback_query"]) == []
        server.feed(server.message_update(1, "hola"))
        assert await update_ids(http, server) == []

    async def test_a_malformed_update_is_served_as_fed(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """An update fed without the fields Telegram promises is served exactly as given."""
        update = server.message_update(1, "hola")
        del update["message"]["chat"]
        server.feed(update)
        status, answer = await call(http, server, "getUpdates", body={})
        assert (status, answer["result"]) == (200, [update])

    async def test_wait_for_confirmation_returns_the_confirming_poll(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """The poll that confirms an update is the first with an offset above its id."""
        update_id = server.feed(server.message_update(1, "/start"))["update_id"]
        waiting = asyncio.create_task(server.wait_for_confirmation(update_id))
        await update_ids(http, server, offset=update_id)
        await update_ids(http, server, offset=update_id + 1)
        confirming = await asyncio.wait_for(waiting, timeout=60)
        assert confirming is server.calls("getUpdates")[1]


class TestCalls:
    async def test_send_message_accepts_form_and_json_and_returns_a_message(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """sendMessage works with form or JSON bodies and answers a Message with a fresh id."""
        server.feed(server.message_update(7, "/start", first_name="Ana"))
        status, by_form = await call(http, server, "sendMessage", form={"chat_id": "7", "text": "Hola"})
        assert status == 200
        _, by_json = await call(
            http, server, "sendMessage", body={"chat_id": 7, "text": "<b>Adiós</b>", "parse_mode": "HTML"}
        )
        first, second = by_form["result"], by_json["result"]
        assert second["message_id"] > first["message_id"]
        assert first["chat"] == {"id": 7, "type": "private", "first_name": "Ana"}
        assert second["text"] == "Adiós"
        assert second["from"]["is_bot"] is True
        assert server.messages(7) == ["Hola", "<b>Adiós</b>"]
        assert await server.wait_for_messages(7, 2) == ["Hola", "<b>Adiós</b>"]

    async def test_telegram_refusals_are_imitated(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """Unknown chats, malformed HTML and a wrong token fail as Telegram fails them."""
        status, answer = await call(http, server, "sendMessage", body={"chat_id": 99, "text": "Hola"})
        assert (status, answer["description"]) == (400, "Bad Request: chat not found")
        server.feed(server.message_update(99, "/start"))
        status, answer = await call(
            http, server, "sendMessage", body={"chat_id": 99, "text": "<Ana & Co>", "parse_mode": "HTML"}
        )
        assert status == 400
        assert answer["description"].startswith("Bad Request: can't parse entities")
        status, answer = await call(http, server, "getMe", token="1:wrong")  # noqa: S106  (a fake token)
        assert (status, answer["ok"]) == (401, False)
        assert server.messages(99) == []

    async def test_fail_makes_a_method_fail_for_a_chat_a_number_of_times(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """``fail`` answers the given error, only for the given chat and only ``times`` times."""
        server.feed(server.message_update(1, "/start"))
        server.feed(server.message_update(2, "/start"))
        server.fail("sendMessage", 429, "Too Many Requests: retry after 3", chat_id=1, times=1, retry_after=3)
        status, answer = await call(http, server, "sendMessage", body={"chat_id": 1, "text": "a"})
        assert status == 429
        assert answer["parameters"] == {"retry_after": 3}
        assert (await call(http, server, "sendMessage", body={"chat_id": 2, "text": "b"}))[0] == 200
        assert (await call(http, server, "sendMessage", body={"chat_id": 1, "text": "c"}))[0] == 200
        assert [c.status for c in server.calls("sendMessage")] == [429, 200, 200]

    async def test_answer_raw_sends_any_body_and_status(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """``answer_raw`` answers a method with a body that is no Bot API JSON, ``times`` times."""
        page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        server.answer_raw("setMyCommands", 502, page, times=1)
        url = f"{server.base_url}/bot{server.token}/setMyCommands"
        async with http.post(url, json={"commands": []}) as response:
            assert (response.status, response.content_type, await response.text()) == (502, "text/html", page)
        assert (await call(http, server, "setMyCommands", body={"commands": []}))[0] == 200
        assert [c.status for c in server.calls("setMyCommands")] == [502, 200]

    async def test_other_methods_are_recorded_and_succeed(
        self, server: FakeTelegramServer, http: aiohttp.ClientSession
    ) -> None:
        """Any other method answers ``true`` and is recorded with its decoded parameters."""
        commands = json.dumps([{"command": "saldo", "description": "Ver besitos"}])
        status, answer = await call(http, server, "setMyCommands", form={"commands": commands})
        assert (status, answer) == (200, {"ok": True, "result": True})
        status, answer = await call(http, server, "banChatMember", body={"chat_id": -100, "user_id": 5})
        assert answer["result"] is True
        assert server.calls("setMyCommands")[0].params["commands"] == [
            {"command": "saldo", "description": "Ver besitos"}
        ]
        assert server.calls("banchatmember")[0].params == {"chat_id": -100, "user_id": 5}

    async def test_command_updates_carry_their_entity(self, server: FakeTelegramServer) -> None:
        """A command built by ``message_update`` carries a ``bot_command`` entity; plain text none."""
        command = server.message_update(1, "/saldo@yabot_test_bot ahora")["message"]
        assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
        assert "entities" not in server.message_update(1, "hola")["message"]


class TestFloodControl:
    async def test_sends_beyond_the_limits_are_refused_with_retry_after(
        self, http: aiohttp.ClientSession
    ) -> None:
        """With flood control on: 30 chats in one second pass, the 31st and a second to one chat get 429."""
        moment = [100.0]
        flood = FloodControl(clock=lambda: moment[0])  # the second stands still until the test moves it
        async with FakeTelegramServer(known_chats_only=False, flood=flood) as server:
            assert server.flood is not None
            for chat in range(1, 31):
                status, _ = await call(http, server, "sendMessage", body={"chat_id": chat, "text": "hola"})
                assert status == 200
            status, answer = await call(http, server, "sendMessage", body={"chat_id": 31, "text": "hola"})
            assert status == 429
            assert answer["parameters"]["retry_after"] == 1
            status, _ = await call(http, server, "getMe")  # not a message: not counted
            assert status == 200
            assert server.flood.refused == 1
            moment[0] += 1.0  # a second later both limits have room again
            assert (await call(http, server, "sendMessage", body={"chat_id": 31, "text": "hola"}))[0] == 200
            assert (await call(http, server, "sendMessage", body={"chat_id": 1, "text": "otra"}))[0] == 200
            assert (await call(http, server, "sendMessage", body={"chat_id": 1, "text": "y otra"}))[0] == 429
            assert server.flood.refused == 2
