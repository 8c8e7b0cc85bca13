"""/saldo handling time: real aiogram Dispatcher and Bot, HTTP to the fake Bot API; polled and fed."""

import asyncio
import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aiogram import Dispatcher
from aiogram.types import Update
from yabot_core.gamification import LedgerReason, WalletService

from benchmarks.backends import OpenBackend
from benchmarks.stats import clean_heap
from yabot_adapters.storage import StorageBackend
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_adapters.telegram import ALLOWED_UPDATES, build_dispatcher, create_bot
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import Clock, UserId
from yabot_core.users import UserDirectory, UserProfile

ANA = UserId(4242)
FIRST_NAME = "Ana"
LEDGER = (10, 25, -7, 5, -3, 40, -12)
"""Ana's ledger before the run: credits and debits, more than /saldo shows (it shows the latest five)."""

REPLY_TIMEOUT = 10.0
POLL_TIMEOUT = 10
"""aiogram's long-poll timeout, seconds (the fake server answers at once when an update is fed)."""


@dataclass(frozen=True, slots=True)
class SaldoRun:
    """One run's handling times in milliseconds."""

    polled_ms: list[float]
    fed_ms: list[float]


async def _prepare(storage: StorageBackend, clock: Clock) -> tuple[UserDirectory, WalletService]:
    """The real services, and Ana registered (as the middleware will see her) with a few ledger entries."""
    ids = UuidGenerator()
    users = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    await users.register(UserProfile(user_id=ANA, first_name=FIRST_NAME, language_code="es"))
    prefix = uuid.uuid4().hex[:8]
    for step, amount in enumerate(LEDGER):
        key = f"bench-saldo-{prefix}-{step}"
        if amount > 0:
            await wallet.credit(ANA, amount, LedgerReason.ADMIN_GRANT, idempotency_key=key)
        else:
            await wallet.debit(ANA, -amount, LedgerReason.PURCHASE, idempotency_key=key)
    return users, wallet


def _dispatcher(users: UserDirectory, wallet: WalletService) -> Dispatcher:
    return build_dispatcher(users=users, wallet=wallet, welcome_besitos=10, timezone=ZoneInfo("UTC"))


def _check_reply(text: str) -> None:
    expected = f"<b>{sum(LEDGER)} besitos</b>"
    if expected not in text:
        msg = f"/saldo answered something unexpected (no {expected!r}): {text!r}"
        raise AssertionError(msg)


async def polled(open_backend: OpenBackend, *, updates: int) -> list[float]:
    """Feed ``updates`` /saldo updates one at a time to a polling bot; time feed → sendMessage received."""
    clock = SystemClock()
    async with open_backend(clock) as storage, FakeTelegramServer() as server:
        users, wallet = await _prepare(storage, clock)
        dp = _dispatcher(users, wallet)
        bot = create_bot(server.token, api_url=server.base_url)
        polling = asyncio.create_task(
            dp.start_polling(
                bot,
                handle_signals=False,
                close_bot_session=False,
                allowed_updates=list(ALLOWED_UPDATES),
                polling_timeout=POLL_TIMEOUT,
            )
        )
        try:
            await server.wait_for_call("getUpdates", timeout=REPLY_TIMEOUT)
            times: list[float] = []
            for n in range(updates):
                update = server.message_update(ANA, "/saldo", first_name=FIRST_NAME)
                started = time.perf_counter()
                server.feed(update)
                await server.wait_for_messages(ANA, n + 1, timeout=REPLY_TIMEOUT)
                times.append((time.perf_counter() - started) * 1000)
            _check_reply(server.messages(ANA)[-1])
        finally:
            await dp.stop_polling()
            await polling
            await bot.session.close()
    return times


async def fed(open_backend: OpenBackend, *, updates: int) -> list[float]:
    """Hand ``updates`` /saldo updates to ``dp.feed_update`` one at a time (no polling); time each call.

    The reply still goes out over HTTP to the fake server; ``feed_update`` returns once it was answered.
    """
    clock = SystemClock()
    async with open_backend(clock) as storage, FakeTelegramServer(known_chats_only=False) as server:
        users, wallet = await _prepare(storage, clock)
        dp = _dispatcher(users, wallet)
        bot = create_bot(server.token, api_url=server.base_url)
        try:
            times: list[float] = []
            for _ in range(updates):
                raw = server.message_update(ANA, "/saldo", first_name=FIRST_NAME)
                update = Update.model_validate(raw, context={"bot": bot})
                started = time.perf_counter()
                await dp.feed_update(bot, update)
                times.append((time.perf_counter() - started) * 1000)
        finally:
            await bot.session.close()
        replies = server.messages(ANA)
        if len(replies) != updates:
            msg = f"feed_update: {updates} updates but {len(replies)} replies"
            raise AssertionError(msg)
        _check_reply(replies[-1])
    return times


async def saldo(open_backend: OpenBackend, *, updates: int) -> SaldoRun:
    """Both ways, each on its own fresh backend and server."""
    polled_ms = await polled(open_backend, updates=updates)
    clean_heap()
    return SaldoRun(polled_ms=polled_ms, fed_ms=await fed(open_backend, updates=updates))
