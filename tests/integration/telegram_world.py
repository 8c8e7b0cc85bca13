"""One bot with its whole backend, talking to a fake Telegram server: the world the Telegram tests live in.

Everything behind the bot is real: in-memory storage, the user directory, the wallet, the welcome gift and
the local event bus relaying the outbox. aiogram's real Bot and Dispatcher poll the fake Bot API over HTTP.
"""

import asyncio
from collections.abc import Iterable
from typing import Final
from zoneinfo import ZoneInfo

from aiogram import Router

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.telegram import ALLOWED_UPDATES, BesitosNotifier, build_dispatcher, create_bot
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.gamification import BesitosAwarded, WalletService, WelcomeGift
from yabot_core.kernel import FakeClock, RetryPolicy, SequentialIds, UserId
from yabot_core.users import UserDirectory, UserRegistered

GUARD: Final = 60.0
"""Seconds a test waits for something it expects before calling it a hang (never a timing assert)."""

MADRID = ZoneInfo("Europe/Madrid")
ANA = UserId(4242)
SALON = -1001234567890  # a supergroup the bot is in
WELCOME = 10


class World:
    """One bot with its whole backend, talking to one fake Telegram server."""

    def __init__(
        self,
        clock: FakeClock,
        server: FakeTelegramServer,
        *,
        welcome_besitos: int = WELCOME,
        routers: Iterable[Router] = (),
    ) -> None:
        self.server = server
        self.storage = InMemoryStorage(clock)
        self.users = UserDirectory(
            self.storage.transactions, self.storage.user_queries, clock, SequentialIds("u")
        )
        self.wallet = WalletService(
            self.storage.transactions, self.storage.wallet_queries, clock, SequentialIds("w")
        )
        self.bus = LocalEventBus(
            outbox=self.storage.outbox,
            transactions=self.storage.transactions,
            dead_letters=self.storage.dead_letter_queries,
            clock=clock,
            ids=SequentialIds("bus"),
            retry=RetryPolicy(attempts=3, first_delay=0.0, max_delay=0.0),
        )
        self.registered: list[UserRegistered] = []
        self.bot = create_bot(server.token, api_url=server.base_url)
        gift = WelcomeGift(self.wallet, welcome_besitos)
        self.bus.subscribe(UserRegistered, gift.on_user_registered, name="gamification.welcome_gift")
        self.bus.subscribe(UserRegistered, self._remember, name="test.registered")
        notifier = BesitosNotifier(self.bot, self.users)
        self.bus.subscribe(
            BesitosAwarded, notifier.on_besitos_awarded, name="telegram.notify_besitos_awarded"
        )
        self.dp = build_dispatcher(
            users=self.users,
            wallet=self.wallet,
            welcome_besitos=welcome_besitos,
            timezone=MADRID,
            routers=routers,
        )
        self._polling: asyncio.Task[None] | None = None

    async def _remember(self, event: UserRegistered) -> None:
        self.registered.append(event)

    async def start_polling(self) -> None:
        polls = len(self.server.calls("getUpdates"))
        self._polling = asyncio.create_task(
            self.dp.start_polling(
                self.bot, handle_signals=False, allowed_updates=list(ALLOWED_UPDATES), polling_timeout=5
            )
        )
        await self.server.wait_for_call("getUpdates", count=polls + 1)

    async def stop_polling(self) -> None:
        if self._polling is not None:
            await self.dp.stop_polling()
            await self._polling
            self._polling = None

    async def close(self) -> None:
        await self.stop_polling()
        await self.bot.session.close()

    async def say(self, text: str, *, user_id: int = ANA, first_name: str = "Ana") -> str:
        """Send ``text`` as the user and return the bot's reply."""
        before = len(self.server.messages(user_id))
        self.server.feed(self.server.message_update(user_id, text, first_name=first_name))
        return (await self.server.wait_for_messages(user_id, before + 1, timeout=GUARD))[-1]


async def make_world(
    clock: FakeClock,
    server: FakeTelegramServer,
    *,
    welcome_besitos: int = WELCOME,
    routers: Iterable[Router] = (),
) -> World:
    world = World(clock, server, welcome_besitos=welcome_besitos, routers=routers)
    await world.start_polling()
    return world
