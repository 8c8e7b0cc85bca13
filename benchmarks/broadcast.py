"""A broadcast to thousands of fans, and 100 posts due at once, against Telegram's sending limits.

Both start a process as ``yabot run`` would behind its doors (``lifecycle.working``: the modules, the event
relay, the ticker, the bot's Telegram client) over one SQLite file, and a fake Bot API server that enforces
Telegram's limits (30 messages in any one second, one per second per chat, 429 with ``retry_after`` beyond).

- broadcast: fans registered, a few of them blocked at the server; one broadcast to everyone, created before
  the start; timed from the start until the broadcast is finished (every fan settled). The rate is the
  messages Telegram accepted over that time, read beside Telegram's 30/s, the engine it stands on.
- posts: posts scheduled for the same second, half to each channel; timed from the start until all are in
  their channels. Telegram's one message per second per chat bounds it: ``posts / 2 - 1`` seconds at best.
"""

import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from yabot_adapters.storage import StorageUnitOfWork, opened
from yabot_adapters.telegram.testing import FakeTelegramServer, FloodControl
from yabot_app.container import build_container
from yabot_app.lifecycle import working
from yabot_app.modules.broadcasts import BroadcastsModule
from yabot_app.modules.posts import PostsModule
from yabot_app.settings import Settings
from yabot_core.audit import Actor
from yabot_core.broadcasts import BroadcastState, audience_of
from yabot_core.kernel import UserId
from yabot_core.posts import PostChannel, post_content
from yabot_core.users import User, UserSource

BENCH: Final = Actor.operator("bench")
FREE: Final = -1004000000001
VIP: Final = -1004000000002
TELEGRAM_PER_SECOND: Final = 30
BLOCKED_EVERY: Final = 500
"""One fan in this many blocked the bot (counted, never retried)."""
POLL: Final = 0.05
TEXT: Final = "Esta noche, directo especial de Diana"


@dataclass(frozen=True, slots=True)
class BroadcastRun:
    """One broadcast's figures: fans, what became of them, seconds, and Telegram's 429s."""

    fans: int
    sent: int
    blocked: int
    failed: int
    uncertain: int
    seconds: float
    sending_s: float
    """From the first message Telegram accepted to the end (start-up and the audience left out)."""
    refused: int

    @property
    def messages_per_second(self) -> float:
        """Messages Telegram accepted per second, over the whole run."""
        return self.sent / self.seconds

    @property
    def sending_rate(self) -> float:
        """Messages per second while sending."""
        return self.sent / self.sending_s


@dataclass(frozen=True, slots=True)
class PostsRun:
    """Posts due at once and the seconds until every one was in its channel."""

    posts: int
    seconds: float
    refused: int


def _settings(root: str, **values: object) -> Settings:
    return Settings.model_validate(
        {
            "storage": "sqlite",
            "sqlite_synchronous": "FULL",
            "data_dir": root,
            "timezone": "UTC",
            "welcome_besitos": 0,
            "backup_hours": 0,
            "reconcile_hours": 0,
            **values,
        }
    )


async def _register(root: str, fans: int) -> None:
    container = build_container(_settings(root), telegram=False)
    now = datetime.now(UTC)
    async with opened(container.storage()) as storage:
        for start in range(1, fans + 1, 1000):

            async def work(uow: StorageUnitOfWork, start: int = start) -> None:
                for n in range(start, min(start + 1000, fans + 1)):
                    user = User(
                        user_id=UserId(n),
                        first_name=f"Fan {n}",
                        source=UserSource.TELEGRAM,
                        registered_at=now,
                        updated_at=now,
                    )
                    await uow.users.save(user)

            await storage.transactions.run(work)
        service = container.modules().get(BroadcastsModule).broadcasts
        await service.create(TEXT, audience_of("todos"), category="novedades", actor=BENCH)


async def broadcast(fans: int) -> BroadcastRun:
    """Send one broadcast to ``fans`` fans (one in 500 blocked); time it from the process's start."""
    flood = FloodControl(per_second=TELEGRAM_PER_SECOND)
    with tempfile.TemporaryDirectory(prefix="yabot-bench-broadcast-") as root:
        await _register(root, fans)
        async with FakeTelegramServer(known_chats_only=False, flood=flood) as server:
            for n in range(BLOCKED_EVERY, fans + 1, BLOCKED_EVERY):
                server.block(n)
            settings = _settings(root, bot_token=server.token, telegram_api_url=server.base_url)
            container = build_container(settings)
            service = container.modules().get(BroadcastsModule).broadcasts
            guard = 120.0 + 3 * fans / flood.per_second
            started = time.perf_counter()
            first_sent: float | None = None
            async with working(container):
                (created,) = await service.listing(limit=1)
                while (progress := await service.progress(created.broadcast_id)).state is not (
                    BroadcastState.FINISHED
                ):
                    if first_sent is None and progress.sent:
                        first_sent = time.perf_counter()
                    if time.perf_counter() - started > guard:
                        msg = f"broadcast to {fans}: {progress.bar()} after {guard:.0f} s"
                        raise AssertionError(msg)
                    await asyncio.sleep(POLL)
                seconds = time.perf_counter() - started
    return BroadcastRun(
        fans=fans,
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed,
        uncertain=progress.uncertain,
        seconds=seconds,
        sending_s=seconds - ((first_sent or started) - started),
        refused=flood.refused,
    )


async def posts_due(count: int) -> PostsRun:
    """Schedule ``count`` posts for now (half to each channel); time until all are published."""
    flood = FloodControl(per_second=TELEGRAM_PER_SECOND)
    with tempfile.TemporaryDirectory(prefix="yabot-bench-posts-") as root:
        container = build_container(_settings(root), telegram=False)
        async with opened(container.storage()):
            service = container.modules().get(PostsModule).posts
            due = container.clock().now()
            for n in range(count):
                channel = PostChannel.VIP if n % 2 else PostChannel.FREE
                await service.schedule(channel, post_content(f"Publicación {n}"), at=due, actor=BENCH)
        async with FakeTelegramServer(known_chats_only=False, flood=flood) as server:
            settings = _settings(
                root,
                bot_token=server.token,
                telegram_api_url=server.base_url,
                free_channel_id=FREE,
                vip_channel_id=VIP,
            )
            container = build_container(settings)
            guard = 120.0 + 3 * count
            started = time.perf_counter()

            def published() -> int:
                return sum(
                    1
                    for call in server.calls("sendMessage")
                    if call.ok and str(call.params.get("text", "")).startswith("Publicación")
                )

            async with working(container):
                while published() < count:
                    if time.perf_counter() - started > guard:
                        msg = f"{count} posts due: {published()} published after {guard:.0f} s"
                        raise AssertionError(msg)
                    await asyncio.sleep(POLL)
                seconds = time.perf_counter() - started
    return PostsRun(posts=count, seconds=seconds, refused=flood.refused)
