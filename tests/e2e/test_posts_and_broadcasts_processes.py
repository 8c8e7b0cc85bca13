"""Posts and broadcasts across `yabot run` processes on one SQLite file, counted on the fake Bot API server.

Two processes publish each of 100 posts due in the same second exactly once. A broadcast against a server
that enforces Telegram's limits survives a SIGKILL in the middle: the restarted process resumes it and
nobody receives it twice.
"""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Final

import pytest

from tests.contracts.common import make_user
from tests.e2e.process import Served, free_port, yabot_env
from yabot_adapters.storage import StorageUnitOfWork, opened
from yabot_adapters.telegram.testing import FakeTelegramServer, FloodControl
from yabot_app.container import build_container
from yabot_app.modules.broadcasts import BroadcastsModule
from yabot_app.modules.posts import PostsModule
from yabot_app.settings import Settings
from yabot_core.audit import Actor
from yabot_core.broadcasts import BroadcastState, audience_of
from yabot_core.kernel import UserId
from yabot_core.posts import PUBLISH_TIMER, PostChannel, PostState, post_content

pytestmark = pytest.mark.slow

FREE: Final = -1003000000001
VIP: Final = -1003000000002
POSTS: Final = 100
FANS: Final = 150
FIRST_FAN: Final = 900_001
BLOCKED: Final = frozenset(UserId(FIRST_FAN + n) for n in (3, 50, 120))
GUARD: Final = 240.0
"""Seconds anything may take before it is called a hang (never a speed check)."""
OPERATOR: Final = Actor.operator("e2e")


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


def _settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {"storage": "sqlite", "data_dir": str(tmp_path / "data"), "welcome_besitos": 0}
    )


def _sent(server: FakeTelegramServer, marker: str) -> Counter[tuple[int, str]]:
    """Accepted messages whose text holds ``marker``, by (chat, text)."""
    return Counter(
        (int(call.params["chat_id"]), str(call.params.get("text")))
        for call in server.calls("sendMessage")
        if call.ok and marker in str(call.params.get("text", ""))
    )


@pytest.mark.timeout(600)
async def test_two_processes_publish_each_of_100_due_posts_once(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """100 posts due in the same second, half to each channel: each published once, VIP ones protected."""
    container = build_container(_settings(tmp_path), telegram=False)
    env = yabot_env(
        tmp_path,
        bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        outbox_poll_interval="0.2",
        free_channel_id=str(FREE),
        vip_channel_id=str(VIP),
        telegram_chat_interval="0",  # Telegram's per-chat pace is the limiter's own tests' business
    )
    async with opened(container.storage()) as storage:
        container.event_routes()
        posts = container.modules().get(PostsModule).posts
        due = container.clock().now().replace(microsecond=0) + timedelta(seconds=2)
        scheduled = [
            await posts.schedule(
                PostChannel.VIP if n % 2 else PostChannel.FREE,
                post_content(f"Publicación {n}"),
                at=due,
                actor=OPERATOR,
            )
            for n in range(POSTS)
        ]
        processes = [Served({**env, "YABOT_API_PORT": str(free_port())}, tmp_path) for _ in range(2)]
        try:
            await asyncio.gather(*(served.start() for served in processes))
            await telegram.wait_until(lambda: len(_sent(telegram, "Publicación")) >= POSTS, timeout=GUARD)
            deadline = time.monotonic() + GUARD
            while time.monotonic() < deadline:  # until nothing is owed: a duplicate would show by then
                backlog = dict(await storage.outbox.backlog())
                pending = await storage.timer_store.pending(limit=10, kind=PUBLISH_TIMER)
                if not backlog and not pending:
                    break
                await asyncio.sleep(0.3)
            else:
                pytest.fail(f"not settled after {GUARD} s: backlog {backlog}, timers {len(pending)}")
            states = [(await posts.get(post.post_id)).state for post in scheduled]
        finally:
            codes = [await served.stop() for served in processes]
    assert codes == [0, 0], [served.printed for served in processes]
    sent = _sent(telegram, "Publicación")
    assert sorted(text for _, text in sent) == sorted(f"Publicación {n}" for n in range(POSTS))
    assert set(sent.values()) == {1}
    assert all(chat == (VIP if int(text.split()[-1]) % 2 else FREE) for chat, text in sent)
    assert set(states) == {PostState.PUBLISHED}
    for call in telegram.calls("sendMessage"):
        if call.ok and call.params.get("chat_id") == VIP:
            assert call.params.get("protect_content") is True


@pytest.mark.timeout(600)
async def test_a_broadcast_killed_midway_resumes_without_sending_anyone_twice(tmp_path: Path) -> None:
    """SIGKILL after a third of the fans; restarted, the broadcast finishes; nobody gets it twice.

    The server enforces 30 msg/s overall and 1/s per chat with 429s: none of them counts as a failure.
    Fans who blocked the bot are counted once and not retried; those whose message was in flight at the
    kill are ``incierto`` (never sent again).
    """
    flood = FloodControl(per_second=30)
    settings = _settings(tmp_path)
    container = build_container(settings, telegram=False)
    fans = [UserId(FIRST_FAN + n) for n in range(FANS)]
    async with (
        FakeTelegramServer(known_chats_only=False, flood=flood) as telegram,
        opened(container.storage()) as storage,
    ):
        for fan in BLOCKED:
            telegram.block(fan)
        container.event_routes()
        clock = container.clock()

        async def register(uow: StorageUnitOfWork) -> None:
            for fan in fans:
                await uow.users.save(make_user(clock, fan, "Fan"))  # type: ignore[arg-type]  # any clock

        await storage.transactions.run(register)
        service = container.modules().get(BroadcastsModule).broadcasts
        created = await service.create(
            "Gran noticia de la casa", audience_of("todos"), category="novedades", actor=OPERATOR
        )
        env = yabot_env(
            tmp_path,
            bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            broadcast_lease_seconds="3",
        )
        first = Served({**env, "YABOT_API_PORT": str(free_port())}, tmp_path)
        second = Served({**env, "YABOT_API_PORT": str(free_port())}, tmp_path)
        started: list[Served] = []
        try:
            started.append(first)
            await first.start()
            await telegram.wait_until(
                lambda: len(_sent(telegram, "Gran noticia")) >= FANS // 3, timeout=GUARD
            )
            await first.kill()
            killed_at = len(_sent(telegram, "Gran noticia"))
            started.append(second)
            await second.start()
            deadline = time.monotonic() + GUARD
            while (
                progress := await service.progress(created.broadcast_id)
            ).state is not BroadcastState.FINISHED:
                if time.monotonic() > deadline:
                    pytest.fail(f"not finished after {GUARD} s: {progress}")
                await asyncio.sleep(0.3)
        finally:
            codes = [await served.stop() for served in started]  # the killed one just reports its code
    assert codes[-1] == 0, second.printed
    sent = Counter(chat for chat, _ in _sent(telegram, "Gran noticia").elements())
    assert killed_at < FANS - len(BLOCKED)  # the kill really came in the middle
    assert set(sent.values()) == {1}  # nobody twice
    assert not set(sent) & BLOCKED
    blocked_calls = Counter(
        int(call.params["chat_id"]) for call in telegram.calls("sendMessage") if call.status == 403
    )
    assert set(blocked_calls) <= BLOCKED
    assert set(blocked_calls.values()) <= {1}  # never retried
    assert progress.failed == 0  # flood control's 429s were waited out, never surfaced
    assert progress.total == FANS
    assert progress.sent + progress.uncertain + progress.blocked == FANS
    assert progress.sent <= len(sent) <= progress.sent + progress.uncertain
    assert progress.blocked + progress.uncertain >= len(BLOCKED)
