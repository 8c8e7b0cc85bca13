"""Reactions and the missions they drive: reaction → besitos latency, and mission progress events/s.

Reaction latency: the product's dispatcher is handed ``message_reaction`` updates (``dp.feed_update``, a
number of callers at once, one fan per update so no daily cap interferes); each call returns once the
reaction and its besito are committed. Beside it, the same updates through a bare aiogram Dispatcher whose
``message_reaction`` handler does nothing: the difference is YABOT's middlewares, router and the storage
commit. Mission progress: ``Missions.on_event`` over distinct ``ReactionDetected`` events, fans at once,
each fan's events in turn; afterwards every fan's progress must equal its events.
"""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any, Final

from aiogram import Bot, Dispatcher, Router
from aiogram.types import MessageReactionUpdated, Update

from benchmarks.backends import OpenBackend
from benchmarks.product import ProductStorage, product
from benchmarks.stats import OpsRun, clean_heap
from yabot_adapters.content import load_item_catalog
from yabot_adapters.system import SystemClock, UuidGenerator
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.content import SHIPPED_ITEMS
from yabot_app.modules.wallet import WalletModule
from yabot_core.inventory import Mochila
from yabot_core.kernel import EventId, UserId
from yabot_core.missions import MissionCatalog, MissionDefinition, Missions
from yabot_core.reactions import ReactionDetected
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService

GROUP: Final = -1001234567890
FIRST_FAN: Final = 100_000
MISSION: Final = "reacciones-sin-fin"


@dataclass(frozen=True, slots=True)
class ReactionRun:
    """Per-update latencies (ms) of one run: the product's and the bare handler's."""

    ours_ms: list[float]
    bare_ms: list[float]


def _updates(server: FakeTelegramServer, count: int, first_fan: int) -> list[dict[str, Any]]:
    return [
        {
            "update_id": server.next_update_id(),
            "message_reaction": {
                "chat": {"id": GROUP, "type": "supergroup", "title": "Salón"},
                "message_id": 7,
                "user": {"id": first_fan + n, "is_bot": False, "first_name": "Ana"},
                "date": 1,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "❤️"}],
            },
        }
        for n in range(count)
    ]


def bare_dispatcher() -> Dispatcher:
    """The reference: a Dispatcher whose one ``message_reaction`` handler does nothing."""
    router = Router(name="bench.bare-reactions")

    async def noted(_update: MessageReactionUpdated) -> None:
        return None

    router.message_reaction.register(noted)
    dp = Dispatcher(name="bench-bare-reactions")
    dp.include_router(router)
    return dp


async def _latencies(
    dp: Dispatcher, bot: Bot, raw: Sequence[dict[str, Any]], concurrency: int
) -> list[float]:
    parsed = iter([Update.model_validate(update, context={"bot": bot}) for update in raw])
    latencies: list[float] = []

    async def worker() -> None:
        for update in parsed:
            started = time.perf_counter()
            await dp.feed_update(bot, update)
            latencies.append((time.perf_counter() - started) * 1000)

    clean_heap()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def reaction_latency(storage: ProductStorage, *, reactions: int, concurrency: int) -> ReactionRun:
    """``reactions`` fans react once each in a group; the product's and the bare dispatcher's latencies.

    Raises:
        AssertionError: some fan was not paid exactly one besito.
    """
    async with (
        FakeTelegramServer(known_chats_only=False) as server,
        product(storage, bot_token=server.token, telegram_api_url=server.base_url) as container,
    ):
        bot = container.bot()
        try:
            bare = await _latencies(
                bare_dispatcher(), bot, _updates(server, reactions, FIRST_FAN), concurrency
            )
            ours = await _latencies(
                container.dispatcher(), bot, _updates(server, reactions, FIRST_FAN), concurrency
            )
        finally:
            await bot.session.close()
        wallet = container.modules().get(WalletModule).wallet
        balances = [(await wallet.balance(UserId(FIRST_FAN + n))).balance for n in range(reactions)]
        if balances != [1] * reactions:
            unpaid = sum(balance != 1 for balance in balances)
            msg = f"reactions: {unpaid} of {reactions} fans were not paid exactly one besito"
            raise AssertionError(msg)
    return ReactionRun(ours_ms=ours, bare_ms=bare)


def _catalog(events_per_fan: int) -> MissionCatalog:
    mission = MissionDefinition.model_validate(
        {
            "id": MISSION,
            "titulo": "Reacciones",
            "descripcion": "Reaccione mucho.",
            "asignar": "reactions.detected",
            "objetivo": {"evento": "reactions.detected", "cantidad": events_per_fan + 1},
            "recompensa": {"besitos": 1},
        }
    )
    return MissionCatalog((mission,))


async def mission_progress(open_backend: OpenBackend, *, fans: int, events_per_fan: int) -> OpsRun:
    """``fans`` at once, each handing ``events_per_fan`` reactions to the missions in turn; events/s.

    Raises:
        AssertionError: some fan's progress differs from its events.
    """
    clock = SystemClock()
    ids = UuidGenerator()
    async with open_backend(clock) as storage:
        mochila = Mochila(
            storage.transactions,
            storage.inventory_queries,
            load_item_catalog(SHIPPED_ITEMS, None),
            clock,
            ids,
        )
        missions = Missions(
            storage.transactions,
            storage.mission_queries,
            UserDirectory(storage.transactions, storage.user_queries, clock, ids),
            WalletService(storage.transactions, storage.wallet_queries, clock, ids),
            mochila,
            catalog=_catalog(events_per_fan),
            clock=clock,
            ids=ids,
            zone=UTC,
        )

        async def one_fan(fan: UserId) -> None:
            for n in range(events_per_fan):
                await missions.on_event(
                    ReactionDetected(
                        event_id=EventId(f"{fan}-{n}"),
                        occurred_at=clock.now(),
                        correlation_id="bench",
                        user_id=fan,
                        chat_id=GROUP,
                        message_id=n,
                        emoji="❤️",
                        source="grupo",
                        besitos=1,
                    )
                )

        users = [UserId(FIRST_FAN + n) for n in range(fans)]
        clean_heap()
        started = time.perf_counter()
        await asyncio.gather(*(one_fan(user) for user in users))
        seconds = time.perf_counter() - started
        for user in users:
            (record,) = await storage.mission_queries.for_user(user)
            if record.progress != events_per_fan:
                msg = f"missions: fan {user} progressed {record.progress} of {events_per_fan} events"
                raise AssertionError(msg)
    return OpsRun(operations=fans * events_per_fan, seconds=seconds)
