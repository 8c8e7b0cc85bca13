"""/saldo updates per second: the product's dispatcher beside a bare aiogram handler, same Bot and server.

Both dispatchers run in one process against one fake Bot API server (real HTTP on loopback) through one
aiogram Bot, so the difference is what YABOT does per update: its middlewares (update tracking,
correlation, the user upsert), the routers and filters, the statement read, Fluent rendering.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Final

from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.types import Message, Update

from benchmarks.product import BALANCE, FIRST_NAME, ProductStorage, prepare_users, product
from benchmarks.stats import clean_heap
from yabot_adapters.telegram.metrics import RouteMark, UpdateTiming
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import UserId

ANA = UserId(4242)
GUARD: Final = 60.0
"""Seconds to wait for replies before declaring the bot stuck (a hang guard; never reached normally)."""

POLL_TIMEOUT: Final = 10
"""aiogram's long-poll timeout, seconds (the fake server answers at once when updates are fed)."""

BARE_TEXT: Final = f"Su saldo: <b>{BALANCE} besitos</b>."
"""What the bare handler answers, always: a constant, HTML like the product's."""


@dataclass(frozen=True, slots=True)
class SaldoRun:
    """One run's updates handled per second: the product's and the bare handler's, fed and polled."""

    fed: float
    bare_fed: float
    polled: float
    bare_polled: float
    unmetered_fed: float
    """The product's dispatcher without its update metrics (timing and router marks)."""
    unmetered_polled: float


def strip_update_metrics(dp: Dispatcher) -> None:
    """Take the update timing and the routers' marks off ``dp``: what the product costs without them.

    The storage's and the Bot API's metrics stay (they share their wrapper with the circuit breakers).
    """
    for middleware in [m for m in dp.update.outer_middleware if isinstance(m, UpdateTiming)]:
        dp.update.outer_middleware.unregister(middleware)
    for router in dp.chain_tail:
        for observer in router.observers.values():
            for middleware in [m for m in observer.middleware if isinstance(m, RouteMark)]:
                observer.middleware.unregister(middleware)


def bare_dispatcher() -> Dispatcher:
    """The reference: a Dispatcher with one handler answering /saldo with a constant text."""
    router = Router(name="bench.bare")

    async def answer(message: Message) -> None:
        await message.answer(BARE_TEXT)

    router.message.register(answer, Command("saldo"))
    dp = Dispatcher(name="bench-bare")
    dp.include_router(router)
    return dp


class _Replies:
    """Counts the bot's successful sendMessage calls from a mark on, scanning each recorded call once."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self._server = server
        self._next = len(server.sent)
        self.count = 0

    def reached(self, target: int) -> bool:
        sent = self._server.sent
        while self._next < len(sent):
            call = sent[self._next]
            if call.method.lower() != "getupdates":  # a long poll stays open; nothing else does for long
                if call.status == 0:
                    break  # still being answered: look again at the next call
                self.count += call.method.lower() == "sendmessage" and call.ok
            self._next += 1
        return self.count >= target


def _saldo_updates(server: FakeTelegramServer, count: int) -> list[dict[str, object]]:
    return [server.message_update(ANA, "/saldo", first_name=FIRST_NAME) for _ in range(count)]


async def fed(
    dp: Dispatcher, bot: Bot, server: FakeTelegramServer, *, updates: int, concurrency: int
) -> float:
    """Hand ``updates`` /saldo updates to ``dp.feed_update``, ``concurrency`` at a time; updates/s.

    ``feed_update`` returns once the handler finished, its reply sent over HTTP and answered.
    """
    parsed = [Update.model_validate(raw, context={"bot": bot}) for raw in _saldo_updates(server, updates)]
    pending = iter(parsed)
    replies = _Replies(server)

    async def worker() -> None:
        for update in pending:
            await dp.feed_update(bot, update)

    clean_heap()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    if not replies.reached(updates):
        msg = f"feed_update: {updates} /saldo updates but {replies.count} replies"
        raise AssertionError(msg)
    return updates / seconds


async def polled(dp: Dispatcher, bot: Bot, server: FakeTelegramServer, *, updates: int) -> float:
    """Feed ``updates`` /saldo updates at once to a polling dispatcher; updates/s until all were answered.

    Polls as the product does (aiogram's ``start_polling``, a task per update, 100 updates per poll).
    """
    polls = len(server.calls("getUpdates"))
    polling = asyncio.create_task(
        dp.start_polling(
            bot,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=dp.resolve_used_update_types(),
            polling_timeout=POLL_TIMEOUT,
        )
    )
    try:
        await server.wait_for_call("getUpdates", count=polls + 1, timeout=GUARD)
        batch = _saldo_updates(server, updates)
        replies = _Replies(server)
        clean_heap()
        started = time.perf_counter()
        for update in batch:
            server.feed(update)
        await server.wait_until(lambda: replies.reached(updates), timeout=GUARD)
        seconds = time.perf_counter() - started
        # Confirmed, so the next dispatcher polling this server is not served them again.
        await server.wait_for_confirmation(int(str(batch[-1]["update_id"])), timeout=GUARD)
    finally:
        await dp.stop_polling()
        await polling
    return updates / seconds


def _check_replies(server: FakeTelegramServer, expected: int) -> None:
    """Every reply to Ana is a real /saldo answer or the bare one: no apology from the errors router."""
    texts = server.messages(ANA)
    wanted = f"{BALANCE} besitos</b>"
    wrong = [text for text in texts if wanted not in text]
    if len(texts) != expected or wrong:
        msg = f"/saldo: {len(texts)} replies of {expected}; unexpected ones: {wrong[:2]!r}"
        raise AssertionError(msg)


async def saldo(storage: ProductStorage, *, updates: int, concurrency: int) -> SaldoRun:
    """Both dispatchers, fed then polled, over a fresh product on ``storage`` and a fresh server."""
    async with (
        FakeTelegramServer(known_chats_only=False) as server,
        product(storage, bot_token=server.token, telegram_api_url=server.base_url) as container,
    ):
        await prepare_users(container, [ANA])
        ours = container.dispatcher()  # what `yabot run` serves
        bare = bare_dispatcher()
        bot = container.bot()
        try:
            bare_fed = await fed(bare, bot, server, updates=updates, concurrency=concurrency)
            ours_fed = await fed(ours, bot, server, updates=updates, concurrency=concurrency)
            bare_polled = await polled(bare, bot, server, updates=updates)
            ours_polled = await polled(ours, bot, server, updates=updates)
            strip_update_metrics(ours)
            unmetered_fed = await fed(ours, bot, server, updates=updates, concurrency=concurrency)
            unmetered_polled = await polled(ours, bot, server, updates=updates)
        finally:
            await bot.session.close()
        _check_replies(server, 6 * updates)
    return SaldoRun(
        fed=ours_fed,
        bare_fed=bare_fed,
        polled=ours_polled,
        bare_polled=bare_polled,
        unmetered_fed=unmetered_fed,
        unmetered_polled=unmetered_polled,
    )
