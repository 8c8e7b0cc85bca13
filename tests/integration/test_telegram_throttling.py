"""Per-user throttling: a flooder gets one polite warning and is ignored briefly; nobody else notices."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from tests.integration.telegram_world import ANA, GUARD, World
from yabot_adapters.telegram import ThrottlingMiddleware, track_updates
from yabot_adapters.telegram.middlewares import CorrelationMiddleware, UserUpsertMiddleware
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock

BEA = 5151
WARNING = "Permítame un respiro"
ANSWERED = "Le escucho"  # the fallback's answer to plain chatter


async def started(world: World) -> World:
    await world.start_polling()
    return world


@pytest.fixture(name="strict")
async def strict_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    """A bot allowing 5 messages per user per 10 minutes: nothing leaks back during a test."""
    world = await started(World(clock, server, telegram_user_rate=5, telegram_user_period=600))
    yield world
    await world.close()


async def settle(world: World, last: dict[str, Any]) -> None:
    """Wait until the bot took every update up to ``last`` and finished handling them all."""
    await world.server.wait_for_confirmation(last["update_id"], timeout=GUARD)
    assert await track_updates(world.dp).wait_idle(GUARD)


def chatter(world: World, user_id: int, count: int, *, first_name: str = "Ana") -> dict[str, Any]:
    """Feed ``count`` messages from ``user_id`` at once; return the last."""
    updates = [world.server.message_update(user_id, f"Hola {n}", first_name=first_name) for n in range(count)]
    for update in updates:
        world.server.feed(update)
    return updates[-1]


def press(server: FakeTelegramServer, n: int) -> dict[str, Any]:
    message = server.message_update(ANA, "Menú")["message"]
    return {
        "update_id": server.next_update_id(),
        "callback_query": {
            "id": f"press-{n}",
            "from": message["from"],
            "chat_instance": "ci-1",
            "message": message,
            "data": "otra",
        },
    }


class TestFlooding:
    async def test_a_flooder_gets_the_allowance_one_warning_then_silence(self, strict: World) -> None:
        """30 messages at once: 5 answers and one warning; another user in the middle is answered."""
        chatter(strict, ANA, 15)
        strict.server.feed(strict.server.message_update(BEA, "Buenas", first_name="Bea"))
        await settle(strict, chatter(strict, ANA, 15))

        texts = strict.server.messages(ANA)
        assert sum(ANSWERED in text for text in texts) == 5
        (warning,) = [text for text in texts if WARNING in text]
        assert "Ana" in warning
        assert "usted" in warning
        assert len(texts) == 6
        (reply,) = strict.server.messages(BEA)
        assert ANSWERED in reply

        # Still within the pause: Ana is ignored, while Bea, writing after her, is answered.
        chatter(strict, ANA, 3)
        await strict.say("Otra vez", user_id=BEA, first_name="Bea")
        assert await track_updates(strict.dp).wait_idle(GUARD)
        assert len(strict.server.messages(ANA)) == 6

    async def test_after_the_pause_the_user_is_answered_again(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Once the period has passed, the flooder's next message gets its normal answer."""
        period = 1.0
        world = await started(World(clock, server, telegram_user_rate=2, telegram_user_period=period))
        try:
            await settle(world, chatter(world, ANA, 10))
            assert sum(WARNING in text for text in server.messages(ANA)) == 1
            await asyncio.sleep(period)  # let the pause run out (a wait, not a measurement)
            balance = await world.say("/saldo")
            assert "libro de cuentas" in balance
        finally:
            await world.close()

    async def test_button_presses_count_and_the_warning_is_the_buttons_notice(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Pressing a button in a frenzy: the allowance is answered, one press gets the plain warning."""
        router = Router(name="test.buttons")

        async def answer(query: CallbackQuery) -> None:
            await query.answer("Hecho")

        router.callback_query.register(answer)
        world = World(clock, server, routers=[router], telegram_user_rate=3, telegram_user_period=600)
        await world.start_polling()
        try:
            presses = [press(server, n) for n in range(10)]
            for update in presses:
                server.feed(update)
            await settle(world, presses[-1])
        finally:
            await world.close()
        answers = [call.params.get("text") for call in server.calls("answerCallbackQuery")]
        assert answers.count("Hecho") == 3
        (warning,) = [text for text in answers if text != "Hecho"]
        assert warning.startswith(f"{WARNING}, Ana")
        assert "<" not in warning
        assert len(warning) <= 200

    async def test_group_chatter_is_never_throttled(
        self, clock: FakeClock, server: FakeTelegramServer
    ) -> None:
        """Members talking in a group are not talking to the bot: none of their messages is held back."""
        seen: list[int] = []
        router = Router(name="test.group")

        async def count(message: Message) -> None:
            seen.append(message.message_id)

        router.message.register(count, F.chat.type == "supergroup")
        world = World(clock, server, routers=[router], telegram_user_rate=2, telegram_user_period=600)
        await world.start_polling()
        try:
            updates = [server.group_message_update(-100200, ANA, f"Hola {n}") for n in range(12)]
            for update in updates:
                server.feed(update)
            await settle(world, updates[-1])
        finally:
            await world.close()
        assert len(seen) == 12
        assert server.calls("sendMessage") == []


class TestWiring:
    async def test_the_throttle_sits_after_the_correlation_scope_and_before_the_upsert(
        self, strict: World
    ) -> None:
        """Its log lines carry the update's correlation id, and a flood costs no storage."""
        kinds = [type(middleware) for middleware in strict.dp.update.outer_middleware]
        throttle = kinds.index(ThrottlingMiddleware)
        assert kinds.index(CorrelationMiddleware) < throttle < kinds.index(UserUpsertMiddleware)

    async def test_a_rate_of_zero_turns_it_off(self, clock: FakeClock, server: FakeTelegramServer) -> None:
        """YABOT_TELEGRAM_USER_RATE=0 leaves every user unthrottled."""
        world = World(clock, server, telegram_user_rate=0)
        try:
            kinds = [type(middleware) for middleware in world.dp.update.outer_middleware]
            assert ThrottlingMiddleware not in kinds
        finally:
            await world.close()
