"""One bot with its whole backend, talking to a fake Telegram server: the world the Telegram tests live in.

The world is the product's own composition (``yabot_app.container``) on in-memory storage, with a fake
clock, readable ids and zero-delay retries: every registered module's routers, handlers and texts, the
event bus relaying the outbox, and aiogram's real Bot and Dispatcher polling the fake Bot API over HTTP.
Tests drive event delivery with ``world.bus.deliver_pending()``.
"""

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any, Final

from aiogram import Router

from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.container import Container, build_container, build_dispatcher
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.kernel import FakeClock, RetryPolicy, SequentialIds, UserId
from yabot_core.users import UserRegistered

GUARD: Final = 60.0
"""Seconds a test waits for something it expects before calling it a hang (never a timing assert)."""

ANA = UserId(4242)
SALON = -1001234567890  # a supergroup the bot is in
WELCOME = 10
ZONE = "Europe/Madrid"


def world_settings(server: FakeTelegramServer, **values: object) -> Settings:
    """The settings of a bot on memory storage talking to ``server``."""
    return Settings.model_validate(
        {
            "storage": "memory",
            "bot_token": server.token,
            "telegram_api_url": server.base_url,
            "welcome_besitos": WELCOME,
            "timezone": ZONE,
            "data_dir": "/nonexistent/yabot-tests",
            **values,
        }
    )


class World:
    """One bot with its whole backend, talking to one fake Telegram server."""

    def __init__(
        self,
        clock: FakeClock,
        server: FakeTelegramServer,
        *,
        welcome_besitos: int = WELCOME,
        routers: Iterable[Router] = (),
        plugs: Sequence[ModulePlug[Any]] | None = None,
        **settings: object,
    ) -> None:
        self.server = server
        self.container: Container = build_container(
            world_settings(server, welcome_besitos=welcome_besitos, **settings),
            clock=clock,
            ids=SequentialIds("w"),
            retry=RetryPolicy(attempts=3, first_delay=0.0, max_delay=0.0),
            plugs=plugs,
        )
        self.storage = self.container.storage()
        modules = self.container.modules()
        self.users = modules.get(UsersModule).directory
        self.wallet = modules.get(WalletModule).wallet
        self.lucien = modules.get(LucienModule).lucien
        self.bus = self.container.event_routes()
        self.registered: list[UserRegistered] = []
        self.bus.subscribe(UserRegistered, self._remember, name="test.registered")
        self.bot = self.container.bot()
        self.dp = build_dispatcher(
            modules,
            self.container.bot_parts(),
            self.container.bot_menu(),
            extra_routers=list(routers),
            shared=self.container.shared_redis,
            replayer=self.bus,
        )
        self._polling: asyncio.Task[None] | None = None

    async def _remember(self, event: UserRegistered) -> None:
        self.registered.append(event)

    async def start_polling(self) -> None:
        polls = len(self.server.calls("getUpdates"))
        self._polling = asyncio.create_task(
            self.dp.start_polling(
                self.bot,
                handle_signals=False,
                allowed_updates=self.dp.resolve_used_update_types(),
                polling_timeout=5,
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
        if self.container.settings().shared_state == "redis":
            await self.container.shared_redis().close()

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
