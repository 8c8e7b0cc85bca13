"""The expiry sweep: thousands of VIPs ending in the same second, against Telegram's sending limits.

The subscriptions are granted through the product's own service with a clock thirty days behind, so every
one ends now. Then a process starts as ``yabot run`` would behind its doors (``lifecycle.working``: the
modules, the event relay, the ticker, the bot's Telegram client), with the VIP channel set, over the same
SQLite file and a fake Bot API server that enforces Telegram's limits (30 messages per second overall, one
per second per chat, 429 beyond). It closes every VIP (expiry timers), shows every fan out of the channel
(ban, then unban) and has Lucien say goodbye to each. The run is timed from the start until each of the
three is done for every fan; what the server refused with 429 is counted.
"""

import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from yabot_adapters.storage import opened
from yabot_adapters.telegram.testing import FakeTelegramServer, FloodControl
from yabot_app.container import build_container
from yabot_app.lifecycle import working
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.settings import Settings
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import MAX_PAGE_SIZE

CHANNEL: Final = -1001234567890
BENCH: Final = Actor.operator("bench")
FAREWELL: Final = "llegado a su fin"
"""A phrase of Lucien's goodbye (``vip-caducado``)."""
TELEGRAM_PER_SECOND: Final = 30
"""Telegram's limit on messages per second, the figure the goodbyes' rate is read against."""
POLL: Final = 0.05
"""Seconds between looks at the progress (a few milliseconds of resolution is plenty for minutes)."""


@dataclass(frozen=True, slots=True)
class SweepRun:
    """Seconds from the start until every VIP was closed, shown out, told; and Telegram's refusals."""

    fans: int
    closed_s: float
    removed_s: float
    told_s: float
    refused: int

    @property
    def messages_per_second(self) -> float:
        """Goodbyes delivered per second over the whole run."""
        return self.fans / self.told_s


class _Progress:
    """Counts unbans and goodbyes the server answered, scanning each recorded call once."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self._server = server
        self._next = 0
        self.unbanned = 0
        self.told = 0

    def scan(self) -> None:
        sent = self._server.sent
        while self._next < len(sent):
            call = sent[self._next]
            if call.status == 0 and call.method.lower() != "getupdates":
                return  # still being answered: look again next time
            method = call.method.lower()
            if call.ok and method == "unbanchatmember":
                self.unbanned += 1
            elif call.ok and method == "sendmessage" and FAREWELL in str(call.params.get("text", "")):
                self.told += 1
            self._next += 1


def _settings(root: str, **values: object) -> Settings:
    return Settings.model_validate(
        {
            "storage": "sqlite",
            "sqlite_synchronous": "FULL",
            "data_dir": root,
            "timezone": "UTC",
            "welcome_besitos": 0,
            **values,
        }
    )


async def _grant_ending_now(root: str, fans: int) -> None:
    """Grant ``fans`` VIPs of 30 days from a clock 30 days behind: every one ends (about) now."""
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=30))
    container = build_container(_settings(root), clock=clock, telegram=False)
    async with opened(container.storage()):
        service = container.modules().get(SubscriptionsModule).service
        for start in range(1, fans + 1, MAX_PAGE_SIZE):
            batch = [(UserId(n), 30, None) for n in range(start, min(start + MAX_PAGE_SIZE, fans + 1))]
            await service.grant_many(batch, actor=BENCH, idempotency_key=f"bench-sweep-{start}")


async def sweep(fans: int) -> SweepRun:
    """Close, show out and tell ``fans`` VIPs due at once; time each part from the process's start."""
    flood = FloodControl(per_second=TELEGRAM_PER_SECOND)
    with tempfile.TemporaryDirectory(prefix="yabot-bench-sweep-") as root:
        await _grant_ending_now(root, fans)
        async with FakeTelegramServer(known_chats_only=False, flood=flood) as server:
            settings = _settings(
                root, bot_token=server.token, telegram_api_url=server.base_url, vip_channel_id=CHANNEL
            )
            container = build_container(settings)
            service = container.modules().get(SubscriptionsModule).service
            progress = _Progress(server)
            guard = 120.0 + 3 * fans / flood.per_second
            closed_s = removed_s = told_s = None
            started = time.perf_counter()
            async with working(container):
                while removed_s is None or told_s is None or closed_s is None:
                    await asyncio.sleep(POLL)
                    now = time.perf_counter() - started
                    if now > guard:
                        msg = f"{fans} due: {progress.unbanned} removed, {progress.told} told in {now:.0f} s"
                        raise AssertionError(msg)
                    progress.scan()
                    if closed_s is None and (await service.due(limit=1)).total == 0:
                        closed_s = now
                    if removed_s is None and progress.unbanned >= fans:
                        removed_s = now
                    if told_s is None and progress.told >= fans:
                        told_s = now
    if progress.unbanned != fans or progress.told != fans:
        msg = f"sweep of {fans}: {progress.unbanned} unbans and {progress.told} goodbyes"
        raise AssertionError(msg)
    return SweepRun(fans=fans, closed_s=closed_s, removed_s=removed_s, told_s=told_s, refused=flood.refused)
