"""The Telegram bot end to end: aiogram's real Bot and Dispatcher polling a fake Bot API server over HTTP.

Everything behind the bot is real too (see :mod:`tests.integration.telegram_world`).
"""

import asyncio
import logging
from datetime import timedelta

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from tests.contracts.common import AUCTION_WIN
from tests.integration.telegram_world import ANA, SALON, WELCOME, World, make_world
from yabot_adapters.telegram import (
    UPDATE_TRACKER_KEY,
    TelegramPolling,
    prepare_bot,
    track_updates,
)
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock, UnavailableError, UserId, parse_event
from yabot_core.users import UserProfile, UserRegistered, UserSource
from yabot_core.wallet import ADMIN_GRANT, InsufficientBesitosError, LedgerReason


class TestStart:
    async def test_new_user_is_greeted_and_then_finds_the_welcome_gift(self, world: World) -> None:
        """A new user hears Lucien by name and of Diana's gift; once the bus delivers, /saldo shows it."""
        greeting = await world.say("/start")
        assert "Ana" in greeting
        assert "Lucien" in greeting
        assert "mayordomo de Diana" in greeting
        assert "<b>10 besitos</b> como regalo de bienvenida" in greeting
        assert "/saldo" in greeting

        await world.bus.deliver_pending()
        balance = await world.say("/saldo")
        assert "Dispone usted de <b>10 besitos</b>." in balance
        assert "<b>+10</b> · Regalo de bienvenida · 1 ene 2026, 13:00" in balance
        assert len(world.server.messages(ANA)) == 2  # the welcome gift itself is not announced again

    async def test_redelivered_start_changes_nothing_twice(self, world: World) -> None:
        """The same /start update delivered twice registers one user, one event and one gift."""
        update = world.server.feed(world.server.message_update(ANA, "/start", first_name="Ana"))
        await world.server.wait_for_messages(ANA, 1)
        await world.bus.deliver_pending()

        await world.stop_polling()  # the bot "crashes" and comes back; Telegram delivers the update again
        world.server.redeliver(update)
        await world.start_polling()
        await world.server.wait_for_messages(ANA, 2)
        await world.bus.deliver_pending()

        assert len(world.registered) == 1
        assert (await world.wallet.balance(ANA)).balance == WELCOME
        assert (await world.wallet.statement(ANA)).history.total == 1

    async def test_returning_user_is_welcomed_back_without_a_new_gift(self, world: World) -> None:
        """A user who already met Lucien is welcomed back, with no mention of a gift."""
        await world.say("/start")
        await world.bus.deliver_pending()

        again = await world.say("/start")
        assert "de vuelta" in again
        assert "Ana" in again
        assert "regalo" not in again.lower()
        await world.bus.deliver_pending()
        assert (await world.wallet.balance(ANA)).balance == WELCOME

    async def test_without_a_welcome_gift_nothing_is_promised(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """With no welcome gift configured, /start promises none and /saldo kindly shows an empty book."""
        world = await make_world(clock, server, welcome_besitos=0)
        try:
            greeting = await world.say("/start")
            assert "regalo" not in greeting.lower()
            await world.bus.deliver_pending()
            balance = await world.say("/saldo")
            assert "no guarda ningún besito" in balance
            assert "no consta movimiento alguno" in balance
        finally:
            await world.close()

    async def test_names_are_escaped_for_html(self, world: World) -> None:
        """A name full of HTML is shown literally, and Telegram accepts the message."""
        greeting = await world.say("/start", first_name="<Ana & Co>")
        assert "<b>&lt;Ana &amp; Co&gt;</b>" in greeting
        assert all(call.ok for call in world.server.calls("sendMessage"))

    async def test_the_update_correlation_id_reaches_the_events_it_causes(self, world: World) -> None:
        """Events caused by an update carry ``tg-<update_id>``, through the bus into the ledger."""
        update = world.server.feed(world.server.message_update(ANA, "/start"))
        await world.server.wait_for_messages(ANA, 1)
        (record,) = await world.storage.outbox.pending("welcome.gift", 10)
        registered = parse_event(record.payload)
        assert isinstance(registered, UserRegistered)
        assert registered.correlation_id == f"tg-{update['update_id']}"

        await world.bus.deliver_pending()
        (gift,) = (await world.wallet.statement(ANA)).history.entries
        assert gift.correlation_id == f"tg-{update['update_id']}"


MISSION_REWARD = LedgerReason.define("mission_reward", "Misión cumplida")


class TestBalance:
    async def test_balance_shows_held_besitos_and_the_five_latest_movements(
        self, world: World, clock: FakeClock
    ) -> None:
        """/saldo shows spendable and held besitos and only the five newest movements, with notes."""
        await world.say("/start")
        await world.bus.deliver_pending()
        for n in range(1, 6):
            clock.advance(timedelta(hours=1))
            await world.wallet.credit(ANA, n, MISSION_REWARD, idempotency_key=f"m{n}")
        clock.advance(timedelta(hours=1))
        await world.wallet.credit(ANA, 1000, ADMIN_GRANT, idempotency_key="g", note="Por ser <tan> especial")
        await world.wallet.hold(ANA, 4, purpose=AUCTION_WIN, idempotency_key="h")

        balance = await world.say("/saldo")
        assert "Dispone usted de <b>1.021 besitos</b>." in balance
        assert "Otros <b>4 besitos</b> aguardan reservados" in balance
        movements = [line for line in balance.splitlines() if line.startswith("<b>") and " · " in line]
        assert len(movements) == 5
        assert movements[0].startswith("<b>−4</b> · Besitos reservados")
        assert movements[1] == (
            "<b>+1.000</b> · Regalo de Diana: <i>Por ser &lt;tan&gt; especial</i> · 1 ene 2026, 19:00"
        )
        assert movements[-1].startswith("<b>+3</b> · Misión cumplida")
        assert "Le muestro los 5 más recientes de un total de 8." in balance


class TestFallback:
    async def test_unknown_commands_and_chatter_get_the_list_of_services(self, world: World) -> None:
        """Lucien answers what he does not understand with what he can do."""
        unknown = await world.say("/bailar")
        assert "no figura entre mis atribuciones" in unknown
        assert "/saldo" in unknown
        chatter = await world.say("Hola, Lucien")
        assert "Le escucho" in chatter
        assert "/start" in chatter


class TestErrors:
    @staticmethod
    def failing_router() -> Router:
        router = Router(name="test.failing")

        async def explode(message: Message) -> None:
            raise RuntimeError("detalle interno secreto")

        async def refuse(message: Message) -> None:
            raise InsufficientBesitosError(balance=3, requested=5)

        async def wait(message: Message) -> None:
            raise UnavailableError

        async def explode_on_press(query: CallbackQuery) -> None:
            raise RuntimeError("detalle interno secreto")

        router.message.register(explode, Command("romper"))
        router.message.register(refuse, Command("gastar"))
        router.message.register(wait, Command("esperar"))
        router.callback_query.register(explode_on_press)
        return router

    async def test_an_unexpected_error_gets_an_apology_and_no_details(
        self, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A handler crash ends in a courteous Spanish apology; the details go to the log, not the user."""
        world = await make_world(clock, server, routers=[self.failing_router()])
        try:
            with caplog.at_level(logging.ERROR, logger="yabot_adapters.telegram.errors"):
                reply = await world.say("/romper")
        finally:
            await world.close()
        assert reply.startswith("Le ruego que me disculpe")
        for leak in ("secreto", "RuntimeError", "Traceback", "Error"):
            assert leak not in reply
        (record,) = [r for r in caplog.records if r.name == "yabot_adapters.telegram.errors"]
        assert record.levelno == logging.ERROR
        assert "tg-" in record.getMessage()
        assert record.exc_info is not None

    async def test_a_yabot_error_shows_its_spanish_message(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """A refused operation shows the core's Spanish message in Lucien's words."""
        world = await make_world(clock, server, routers=[self.failing_router()])
        try:
            reply = await world.say("/gastar")
        finally:
            await world.close()
        assert reply.startswith("Le ruego que me disculpe")
        assert "No hay besitos suficientes: el saldo es de 3 y se necesitan 5." in reply

    async def test_a_transient_error_asks_for_patience(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """An unavailable dependency is explained as a passing trouble, with the core's message."""
        world = await make_world(clock, server, routers=[self.failing_router()])
        try:
            reply = await world.say("/esperar")
        finally:
            await world.close()
        assert "en este preciso momento no puedo atender su petición" in reply
        assert UnavailableError.default_message in reply

    async def test_an_error_on_a_button_press_is_answered_with_an_alert(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """A failing button press stops the button's spinner with Lucien's apology as a plain alert."""
        world = await make_world(clock, server, routers=[self.failing_router()])
        message = server.message_update(ANA, "Menú")["message"]
        press = {
            "update_id": server.next_update_id(),
            "callback_query": {
                "id": "press-1",
                "from": message["from"],
                "chat_instance": "ci-1",
                "message": message,
                "data": "romper",
            },
        }
        try:
            server.feed(press)
            answer = await server.wait_for_call("answerCallbackQuery")
        finally:
            await world.close()
        assert answer.params["callback_query_id"] == "press-1"
        assert answer.params["show_alert"] is True
        assert answer.params["text"].startswith("Le ruego que me disculpe")
        assert "<" not in answer.params["text"]
        assert len(answer.params["text"]) <= 200

    async def test_a_failure_in_a_group_is_logged_and_not_apologised_for_there(
        self, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A group message whose handling fails is logged, and Lucien posts no apology in the group."""
        world = await make_world(clock, server, routers=[self.failing_router()])
        tracker = track_updates(world.dp)
        try:
            with caplog.at_level(logging.ERROR, logger="yabot_adapters.telegram.errors"):
                polls = len(server.calls("getUpdates"))
                update = server.feed(server.group_message_update(SALON, ANA, "/romper"))
                confirming = await server.wait_for_call("getUpdates", count=polls + 1)
                assert confirming.params["offset"] > update["update_id"]  # taken: its handling is under way
                assert await tracker.wait_idle(5)
        finally:
            await world.close()
        assert server.calls("sendMessage") == []
        (record,) = [r for r in caplog.records if r.name == "yabot_adapters.telegram.errors"]
        assert record.levelno == logging.ERROR
        assert f"tg-{update['update_id']}" in record.getMessage()

    async def test_a_failed_apology_is_logged_and_swallowed(
        self, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If even the apology cannot be sent, it is logged and the bot goes on serving."""
        world = await make_world(clock, server, routers=[self.failing_router()])
        try:
            server.block(ANA)
            with caplog.at_level(logging.WARNING, logger="yabot_adapters.telegram.errors"):
                server.feed(server.message_update(ANA, "/romper"))
                await server.wait_for_call("sendMessage")
                server.clear_failures()
                assert "de vuelta" in await world.say("/start")  # the next update is served as usual
        finally:
            await world.close()
        assert any("could not apologise" in r.getMessage() for r in caplog.records)


class TestShutdown:
    @staticmethod
    def slow_router(started: asyncio.Event, release: asyncio.Event) -> Router:
        router = Router(name="test.slow")

        async def slow(message: Message) -> None:
            started.set()
            await release.wait()
            await message.answer("Hecho.")

        router.message.register(slow, Command("lento"))
        return router

    @staticmethod
    async def start_with_an_update_in_flight(
        polling: TelegramPolling, server: FakeTelegramServer, started: asyncio.Event
    ) -> None:
        await polling.start(on_unauthorized=pytest.fail)
        await server.wait_for_call("getUpdates")
        server.feed(server.message_update(ANA, "/lento"))
        await asyncio.wait_for(started.wait(), 5)

    async def test_an_update_counts_as_in_flight_through_every_middleware(self, world: World) -> None:
        """The update tracker wraps every other update middleware, so an error's apology is waited for too."""
        tracker = track_updates(world.dp)
        assert list(world.dp.update.outer_middleware).count(tracker) == 1
        assert world.dp.update.outer_middleware[0] is tracker
        assert world.dp[UPDATE_TRACKER_KEY] is tracker

    async def test_stop_waits_for_the_updates_being_handled(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Stopping returns only once the updates already taken from Telegram are fully handled."""
        started, release, polling_stopped = asyncio.Event(), asyncio.Event(), asyncio.Event()
        world = World(clock, server, routers=[self.slow_router(started, release)])

        async def on_shutdown() -> None:
            polling_stopped.set()

        world.dp.shutdown.register(on_shutdown)
        polling = TelegramPolling(world.bot, world.dp, clock=clock)
        try:
            await self.start_with_an_update_in_flight(polling, server, started)
            stopping = asyncio.create_task(polling.stop())
            await asyncio.wait_for(polling_stopped.wait(), 5)
            done, _ = await asyncio.wait({stopping}, timeout=0.2)
            assert not done  # no more updates are taken, but the one in flight is still awaited
            assert track_updates(world.dp).in_flight == 1

            release.set()
            await asyncio.wait_for(stopping, 5)
            assert server.messages(ANA) == ["Hecho."]  # answered through the still open session
            assert track_updates(world.dp).in_flight == 0
        finally:
            release.set()
            await polling.stop()
            await world.close()

    async def test_stop_gives_up_at_its_deadline_with_a_warning(
        self, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """At its deadline stop returns anyway, warning how many updates are still being handled."""
        started, release = asyncio.Event(), asyncio.Event()
        world = World(clock, server, routers=[self.slow_router(started, release)])
        polling = TelegramPolling(world.bot, world.dp, clock=clock)
        try:
            await self.start_with_an_update_in_flight(polling, server, started)
            with caplog.at_level(logging.WARNING, logger="yabot_adapters.telegram.polling"):
                await asyncio.wait_for(polling.stop(timeout=0.05), 5)
            assert track_updates(world.dp).in_flight == 1
        finally:
            release.set()
            await polling.stop()  # this time until the handler is done, before its session closes
            await world.close()
        (warning,) = [r for r in caplog.records if r.name == "yabot_adapters.telegram.polling"]
        assert warning.levelno == logging.WARNING
        assert warning.getMessage().startswith("1 Telegram update(s) still being handled")


class TestStartup:
    async def test_prepare_bot_sets_the_spanish_command_menu(self, world: World) -> None:
        """The menu lists every module's commands in Spanish, for private chats; polling asks only for the
        update types the registered routers handle."""
        modules = world.container.modules()
        await prepare_bot(world.bot, world.container.bot_menu())
        (call,) = world.server.calls("setMyCommands")
        commands = [command["command"] for command in call.params["commands"]]
        registered = [command.command for part in modules.bot_parts() for command in part.commands]
        assert commands == [*registered, "ayuda"]
        assert {"start", "saldo"} <= set(registered)
        saldo = next(command for command in call.params["commands"] if command["command"] == "saldo")
        assert saldo["description"] == "Consultar sus besitos y sus últimos movimientos"
        assert call.params["scope"] == {"type": "all_private_chats"}
        allowed = world.server.calls("getUpdates")[0].params["allowed_updates"]
        assert set(allowed) == set(world.dp.resolve_used_update_types())
        assert {"message", "my_chat_member"} <= set(allowed)

    async def test_a_failing_startup_call_is_a_warning_and_the_bot_still_answers(
        self, clock: FakeClock, server: FakeTelegramServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """When Telegram refuses the command menu, a warning is logged and the bot serves users anyway."""
        server.fail("setMyCommands", 500, "Internal Server Error")
        world = World(clock, server)
        try:
            with caplog.at_level(logging.WARNING, logger="yabot_adapters.telegram.bot"):
                await prepare_bot(world.bot, world.container.bot_menu())
            await world.start_polling()
            assert "Le doy la bienvenida" in await world.say("/start")
        finally:
            await world.close()
        (warning,) = [r for r in caplog.records if r.name == "yabot_adapters.telegram.bot"]
        assert warning.levelno == logging.WARNING
        assert "Internal Server Error" in warning.getMessage()


class TestGrantNotifications:
    async def test_an_operator_grant_is_announced_to_the_user(self, world: World) -> None:
        """When Diana grants besitos, Lucien tells the user the amount, her note and the new balance."""
        await world.say("/start")
        await world.bus.deliver_pending()
        await world.wallet.credit(
            ANA, 25, ADMIN_GRANT, idempotency_key="grant-1", note="Por ser tan especial"
        )
        await world.bus.deliver_pending()

        news = (await world.server.wait_for_messages(ANA, 2))[-1]
        assert "Diana le envía <b>25 besitos</b>" in news
        assert "<i>«Por ser tan especial»</i>" in news
        assert "Su saldo asciende ahora a <b>35 besitos</b>" in news

    async def test_a_user_who_blocked_the_bot_does_not_fail_the_handler(self, world: World) -> None:
        """A 403 from Telegram marks the user unreachable: no retry, no dead letter, the event is done."""
        await world.say("/start")
        await world.bus.deliver_pending()
        world.server.block(ANA)
        await world.wallet.credit(ANA, 25, ADMIN_GRANT, idempotency_key="grant-1")
        await world.bus.deliver_pending()

        assert [call.status for call in world.server.calls("sendMessage")] == [200, 403]
        assert not (await world.users.get(ANA)).reachable  # Lucien skips them from now on
        assert await world.storage.dead_letter_queries.list() == []
        assert await world.storage.outbox.backlog() == {}

    async def test_a_user_who_never_started_the_bot_does_not_fail_the_handler(self, world: World) -> None:
        """Telegram's "chat not found" (the user never wrote to the bot) is accepted like a block."""
        await world.users.register(UserProfile(user_id=UserId(777)), source=UserSource.OPERATOR)
        await world.wallet.credit(UserId(777), 5, ADMIN_GRANT, idempotency_key="grant-2")
        await world.bus.deliver_pending()

        (call,) = world.server.calls("sendMessage")
        assert call.status == 400
        assert not (await world.users.get(UserId(777))).reachable
        assert await world.storage.dead_letter_queries.list() == []

    async def test_flood_control_is_retried_by_the_bus(self, world: World) -> None:
        """A short 429 is waited out by the messenger: the news arrives exactly once, with no dead letter."""
        await world.say("/start")
        await world.bus.deliver_pending()
        world.server.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=1, retry_after=1)
        await world.wallet.credit(ANA, 25, ADMIN_GRANT, idempotency_key="grant-1")
        await world.bus.deliver_pending()

        assert [call.status for call in world.server.calls("sendMessage")] == [200, 429, 200]
        assert len(world.server.messages(ANA)) == 2
        assert await world.storage.dead_letter_queries.list() == []
