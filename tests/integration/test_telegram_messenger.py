"""Lucien's Telegram messenger against the fake Bot API: flood control, blocks, chats that never started.

The outgoing limits themselves are measured on a loop whose time is fake (looptime): aiolimiter reads
the event loop's clock, so the budget is checked message by message without waiting a real second.
"""

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import looptime
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from tests.integration.telegram_world import ANA, World
from yabot_adapters.telegram import OutgoingLimiter, TelegramMessenger, create_bot
from yabot_adapters.telegram.messenger import MAX_RETRY_AFTER
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import UnavailableError, UserId
from yabot_core.lucien import DeliveryUncertainError, RecipientUnreachableError

T = TypeVar("T")
BEA = UserId(5151)


@pytest.fixture(name="bot")
async def bot_fixture(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = create_bot(server.token, api_url=server.base_url)
    yield bot
    await bot.session.close()


@pytest.fixture(name="messenger")
def messenger_fixture(server: FakeTelegramServer, bot: Bot) -> TelegramMessenger:
    for user_id in (ANA, BEA):  # users who wrote to the bot: Telegram knows their chats
        server.feed(server.message_update(user_id, "/start"))
    return TelegramMessenger(bot, OutgoingLimiter())


def calls_to(server: FakeTelegramServer, chat_id: int) -> list[int]:
    return [call.status for call in server.calls("sendMessage") if call.params.get("chat_id") == chat_id]


class TestFloodControl:
    async def test_a_short_pause_is_waited_out_and_the_message_arrives_once(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """A 429 with retry_after is waited out in place; the message is sent again and arrives once."""
        server.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=1, retry_after=1)
        await asyncio.wait_for(messenger.send(ANA, "Hola"), 60)
        assert calls_to(server, ANA) == [429, 200]
        assert server.messages(ANA) == ["Hola"]

    async def test_a_pause_longer_than_the_maximum_fails_as_unavailable(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """A retry_after beyond the maximum fails the send at once as transient (the bus retries later)."""
        server.fail("sendMessage", 429, "Too Many Requests: retry after 3600", times=1, retry_after=3600)
        with pytest.raises(UnavailableError, match="Telegram pide esperar 3600 s"):
            await asyncio.wait_for(messenger.send(ANA, "Hola"), 60)
        assert calls_to(server, ANA) == [429]
        assert server.messages(ANA) == []

    async def test_the_pause_holds_back_every_sender_of_the_process(
        self, server: FakeTelegramServer, messenger: TelegramMessenger, bot: Bot
    ) -> None:
        """While Telegram's pause lasts, no sender of the process calls it: another chat fails at once too."""
        server.fail("sendMessage", 429, "Too Many Requests: retry after 3600", times=1, retry_after=3600)
        with pytest.raises(UnavailableError):
            await asyncio.wait_for(messenger.send(ANA, "Hola"), 60)
        other = TelegramMessenger(bot, messenger.limiter)  # any other sender shares the process's limiter
        with pytest.raises(UnavailableError):
            await asyncio.wait_for(other.send(BEA, "Hola"), 60)
        assert len(server.calls("sendMessage")) == 1
        assert messenger.limiter.paused_for() > MAX_RETRY_AFTER

    async def test_telegram_down_is_transient(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """A 5xx from the Bot API is an UnavailableError: the bus will try again."""
        server.fail("sendMessage", 502, "Bad Gateway", times=1)
        with pytest.raises(UnavailableError, match="Telegram no responde"):
            await asyncio.wait_for(messenger.send(ANA, "Hola"), 60)

    async def test_telegram_out_of_reach_is_transient(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """No connection at all (nothing listens there): the message was not sent; the bus will try again."""
        with socket.socket() as closed:  # a port just freed: nothing listens on it
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        bot = create_bot(server.token, api_url=f"http://127.0.0.1:{port}")
        try:
            with pytest.raises(UnavailableError, match="Telegram no responde"):
                await asyncio.wait_for(TelegramMessenger(bot, messenger.limiter).send(ANA, "Hola"), 60)
        finally:
            await bot.session.close()

    async def test_no_answer_may_mean_it_arrived(
        self, server: FakeTelegramServer, messenger: TelegramMessenger, bot: Bot
    ) -> None:
        """Asked but never answered in time: DeliveryUncertainError (not transient), Telegram asked once."""
        server.slow("sendMessage", 5)
        bot.session.timeout = 0.5
        with pytest.raises(DeliveryUncertainError) as raised:
            await asyncio.wait_for(messenger.send(ANA, "Hola"), 60)
        assert not raised.value.transient
        assert len(server.calls("sendMessage")) <= 1  # the fake records a call once it answers


class TestUnreachable:
    async def test_a_user_who_blocked_the_bot_is_unreachable(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """Telegram's 403 for a blocked bot is RecipientUnreachableError, tried once."""
        server.block(ANA)
        with pytest.raises(RecipientUnreachableError, match="ha bloqueado el bot"):
            await asyncio.wait_for(messenger.send(ANA, "Hola"), 60)
        assert calls_to(server, ANA) == [403]

    async def test_a_chat_that_never_started_is_unreachable(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """ "chat not found" (the user never wrote to the bot) is RecipientUnreachableError, tried once."""
        with pytest.raises(RecipientUnreachableError, match="nunca ha iniciado el bot"):
            await asyncio.wait_for(messenger.send(UserId(777), "Hola"), 60)
        assert calls_to(server, 777) == [400]

    async def test_another_bad_request_is_not_taken_for_unreachable(
        self, server: FakeTelegramServer, messenger: TelegramMessenger
    ) -> None:
        """A text Telegram refuses (broken HTML) is a bug to see, not a user to mark unreachable."""
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await asyncio.wait_for(messenger.send(ANA, "<b>Hola"), 60)


class TestTheProcessLimiter:
    async def test_lucien_speaks_through_the_process_limiter(self, world: World) -> None:
        """The bot's messenger spends the container's one outgoing limiter, which every sender shares."""
        messenger = world.container.messenger()
        assert isinstance(messenger, TelegramMessenger)
        assert messenger.limiter is world.container.outgoing()


def on_fake_time(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on a fresh loop whose clock jumps to the next timer instead of waiting for it."""
    loop = looptime.new_event_loop(start=0)
    try:
        return loop.run_until_complete(work())
    finally:
        loop.close()


def most_in_one_second(starts: list[float]) -> int:
    """The most starts that fall in any half-open one-second window (the limiter's rounding forgiven)."""
    return max(sum(1 for other in starts if start <= other < start + 1 - 1e-6) for start in starts)


class TestOutgoingLimits:
    def test_a_burst_keeps_to_30_a_second_overall_and_1_a_second_per_chat(self) -> None:
        """100 messages to 100 users plus 5 more to one of them: never over 30 in a second, 1/s in a chat."""
        chats = [*range(1, 101), 7, 7, 7, 7, 7]

        async def burst() -> list[tuple[float, int]]:
            limiter = OutgoingLimiter()
            loop = asyncio.get_running_loop()
            starts: list[tuple[float, int]] = []

            async def one(chat_id: int) -> None:
                await limiter.acquire(chat_id)
                starts.append((loop.time(), chat_id))

            await asyncio.gather(*(one(chat_id) for chat_id in chats))
            return starts

        starts = on_fake_time(burst)
        assert sorted(chat for _, chat in starts) == sorted(chats)
        assert most_in_one_second([when for when, _ in starts]) <= 30
        to_seven = [when for when, chat in starts if chat == 7]
        assert all(later - earlier >= 1 - 1e-6 for earlier, later in itertools.pairwise(to_seven))
        assert most_in_one_second(to_seven) == 1

    def test_a_pause_holds_everyone_until_it_ends(self) -> None:
        """After Telegram's retry_after, nobody's turn comes before the pause is over."""

        async def paused() -> tuple[float, list[float]]:
            limiter = OutgoingLimiter()
            loop = asyncio.get_running_loop()
            limiter.pause(5)
            until = loop.time() + 5
            starts: list[float] = []

            async def one(chat_id: int) -> None:
                await limiter.acquire(chat_id)
                starts.append(loop.time())

            await asyncio.gather(*(one(chat_id) for chat_id in range(1, 11)))
            return until, starts

        until, starts = on_fake_time(paused)
        assert len(starts) == 10
        assert min(starts) >= until
