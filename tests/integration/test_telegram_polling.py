"""Polling keeps going: unreadable updates are skipped, a stuck loop shows in readiness, odd answers warn."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.telegram_world import ANA, GUARD, World
from yabot_adapters.telegram import TelegramPolling, create_bot, track_updates
from yabot_adapters.telegram.polling import UNAUTHORIZED
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock, UnavailableError, UserId

HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


def message_without_chat(server: FakeTelegramServer, user_id: int) -> dict[str, Any]:
    """A message aiogram cannot read: ``chat`` is required."""
    update = server.message_update(user_id, "hola")
    del update["message"]["chat"]
    return update


def member_update_without_a_date(server: FakeTelegramServer, user_id: int) -> dict[str, Any]:
    """A block (``my_chat_member``) missing a field aiogram requires, as an odd Bot API server might send.

    (A ``poll_answer`` of an older Bot API is the classic case, but the bot asks Telegram only for the update
    types its routers handle, and no registered module answers polls yet.)
    """
    user = {"id": user_id, "is_bot": False, "first_name": "Ana"}
    chat = {"id": user_id, "type": "private", "first_name": "Ana"}
    bot = {"id": server.bot_id, "is_bot": True, "first_name": "Lucien"}
    change = {
        "chat": chat,
        "from": user,
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": "kicked", "user": bot, "until_date": 0},
    }
    return {"update_id": server.next_update_id(), "my_chat_member": change}


UNREADABLE: dict[str, Callable[[FakeTelegramServer, int], dict[str, Any]]] = {
    "message-without-chat": message_without_chat,
    "member-update-without-a-date": member_update_without_a_date,
}


@pytest.fixture(name="polled")
async def polled_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    """A bot polled by :class:`TelegramPolling`, as ``yabot run`` polls it."""
    world = World(clock, server)
    polling = TelegramPolling(world.bot, world.dp, clock=clock)
    try:
        await polling.start(on_unauthorized=pytest.fail)
        await server.wait_for_call("getUpdates", timeout=GUARD)
        yield world
    finally:
        await polling.stop()
        await world.close()


class TestUnreadableUpdates:
    @pytest.mark.parametrize("unreadable", UNREADABLE.values(), ids=UNREADABLE.keys())
    @pytest.mark.parametrize(
        "batch",
        ["start unreadable start", "start unreadable", "unreadable"],
        ids=lambda b: b.replace(" ", "-"),
    )
    async def test_an_unreadable_update_is_skipped_and_its_batch_served(
        self,
        polled: World,
        server: FakeTelegramServer,
        caplog: pytest.LogCaptureFixture,
        batch: str,
        unreadable: Callable[[FakeTelegramServer, int], dict[str, Any]],
    ) -> None:
        """An update aiogram cannot read is logged and confirmed; the others in its batch are answered."""
        greeted: list[UserId] = []
        with caplog.at_level(logging.WARNING, logger="yabot_adapters.telegram.updates"):
            # Fed with no await in between, so the waiting long poll takes them as one batch.
            for n, kind in enumerate(batch.split()):
                if kind == "start":
                    greeted.append(UserId(5000 + n))
                    update = server.feed(server.message_update(greeted[-1], "/start", first_name="Bruno"))
                else:
                    bad = update = server.feed(unreadable(server, ANA))
            for user_id in greeted:
                await server.wait_for_messages(user_id, 1, timeout=GUARD)
            await server.wait_for_confirmation(update["update_id"], timeout=GUARD)

        assert server.pending_updates == 0
        (warning,) = [r for r in caplog.records if r.name == "yabot_adapters.telegram.updates"]
        assert warning.getMessage().startswith(f"skipping Telegram update {bad['update_id']}: aiogram cannot")
        assert "hola" not in warning.getMessage()  # what is wrong, never what the user wrote
        assert "Le doy la bienvenida" in await polled.say("/start")  # and polling goes on

    async def test_an_answer_that_is_no_batch_is_retried(
        self, polled: World, server: FakeTelegramServer
    ) -> None:
        """A proxy's HTML page instead of updates is an error aiogram retries; updates then flow again."""
        server.answer_raw("getUpdates", 502, HTML_502, times=1)
        server.feed(server.message_update(ANA, "hola"))  # ends the poll in flight; the next one gets the page
        await server.wait_until(lambda: any(c.status == 502 for c in server.calls("getUpdates")), GUARD)
        await server.wait_for_messages(ANA, 1, timeout=GUARD)
        assert "de vuelta" in await polled.say("/start")


class TestReadiness:
    async def test_readiness_follows_the_polls(self, clock: FakeClock, server: FakeTelegramServer) -> None:
        """Ready only while polling runs and some getUpdates succeeded within the last stale_after seconds."""
        world = World(clock, server)
        polling = TelegramPolling(world.bot, world.dp, clock=clock, stale_after=90)
        try:
            with pytest.raises(UnavailableError, match="no se ha puesto en marcha"):
                await polling.check_ready()
            await polling.start(on_unauthorized=pytest.fail)
            await world.say("/start")
            clock.advance(timedelta(seconds=90))
            await polling.check_ready()

            server.fail("getUpdates", 502, "Bad Gateway")
            server.feed(server.message_update(ANA, "hola"))  # ends the poll in flight; the next ones fail
            # aiogram sends another poll only once the guard saw the previous one fail.
            await server.wait_until(
                lambda: sum(c.status == 502 for c in server.calls("getUpdates")) >= 2, GUARD
            )
            await polling.check_ready()  # a failing poll or two is no outage yet
            clock.advance(timedelta(seconds=91))
            with pytest.raises(UnavailableError) as stuck:
                await polling.check_ready()
            assert stuck.value.message == (
                "El bot de Telegram no consigue recibir mensajes desde hace 91 s; "
                "la última consulta a Telegram falló."
            )

            server.clear_failures()
            assert "de vuelta" in await world.say("/start")  # aiogram's own backoff brings polling back
            await polling.check_ready()
        finally:
            await polling.stop()
            await world.close()
        with pytest.raises(UnavailableError, match="no se ha puesto en marcha"):
            await polling.check_ready()

    async def test_a_refused_token_is_told_and_fails_readiness(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """A token Telegram rejects is told to the operator once, and readiness says so from then on."""
        world = World(clock, server)
        bot = create_bot("987654321:not-the-right-token", api_url=server.base_url)
        polling = TelegramPolling(bot, world.dp, clock=clock)
        told: list[str] = []
        refused = asyncio.Event()

        def tell(line: str) -> None:
            told.append(line)
            refused.set()

        try:
            await polling.start(on_unauthorized=tell)
            await asyncio.wait_for(refused.wait(), GUARD)
            with pytest.raises(UnavailableError) as not_ready:
                await polling.check_ready()
        finally:
            await polling.stop()
            await bot.session.close()
            await world.close()
        assert told == [UNAUTHORIZED]
        assert not_ready.value.message == UNAUTHORIZED


class TestStartup:
    async def test_an_unreadable_startup_answer_is_a_warning_and_the_bot_serves(
        self, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A proxy's HTML 502 to the command menu is a warning: polling starts and users are answered."""
        server.answer_raw("setMyCommands", 502, HTML_502)
        world = World(clock, server)
        polling = TelegramPolling(world.bot, world.dp, clock=clock)
        try:
            with caplog.at_level(logging.WARNING, logger="yabot_adapters.telegram.bot"):
                await polling.start(on_unauthorized=pytest.fail)
            assert "Le doy la bienvenida" in await world.say("/start")
            assert await track_updates(world.dp).wait_idle(GUARD)
        finally:
            await polling.stop()
            await world.close()
        (call,) = server.calls("setMyCommands")
        assert call.status == 502
        (warning,) = [r for r in caplog.records if r.name == "yabot_adapters.telegram.bot"]
        assert warning.levelno == logging.WARNING
        assert "ClientDecodeError" in warning.getMessage()
