"""200 VIPs ending in the same second, two `yabot run` processes on one SQLite file: each fan shown out of the
VIP channel and told exactly once (counted on the fake Bot API server)."""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Final

import pytest

from tests.e2e.process import Served, free_port, yabot_env
from yabot_adapters.storage import opened
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.container import build_container
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.settings import Settings
from yabot_core.audit import Actor
from yabot_core.kernel import UserId
from yabot_core.subscriptions import RECONCILE_TIMER

pytestmark = pytest.mark.slow

FANS: Final = 200
FIRST_FAN: Final = 800_001
VIP_CHANNEL: Final = -1002000000001
GUARD: Final = 240.0
"""Seconds everything may take before it is called a hang (never a speed check)."""
GOODBYE: Final = "llegado a su fin"


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


@pytest.mark.timeout(600)
async def test_200_vips_expiring_at_once_are_removed_and_told_once(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Each fan: one ban, one unban, one goodbye, whichever of the two processes did it."""
    data_dir = tmp_path / "data"
    settings = Settings.model_validate(
        {"storage": "sqlite", "data_dir": str(data_dir), "welcome_besitos": 0, "vip_channel_id": VIP_CHANNEL}
    )
    fans = [UserId(FIRST_FAN + n) for n in range(FANS)]
    container = build_container(settings, telegram=False)
    processes: list[Served] = []
    async with opened(container.storage()) as storage:
        container.event_routes()  # what the test commits is owed to the same handlers as in `yabot run`
        try:
            env = yabot_env(
                tmp_path,
                bot_token=telegram.token,
                telegram_api_url=telegram.base_url,
                outbox_poll_interval="0.2",
                vip_channel_id=str(VIP_CHANNEL),
            )
            for _ in range(2):
                served = Served({**env, "YABOT_API_PORT": str(free_port())}, tmp_path)
                processes.append(served)
                await served.start()
                await served.wait_for_output("Bot de Telegram escuchando", timeout=60)

            service = container.modules().get(SubscriptionsModule).service
            now = container.clock().now().replace(microsecond=0)
            until = now + timedelta(seconds=20)
            operator = Actor.operator("e2e")
            for chunk in range(0, FANS, 50):
                await asyncio.gather(
                    *(
                        service.grant(fan, until=until, actor=operator, idempotency_key=f"e2e-{fan}")
                        for fan in fans[chunk : chunk + 50]
                    )
                )
            granted_in_time = container.clock().now() < until

            def goodbyes() -> Counter[int]:
                return Counter(
                    int(call.params["chat_id"])
                    for call in telegram.calls("sendMessage")
                    if call.ok and GOODBYE in str(call.params.get("text", ""))
                )

            def removed() -> bool:
                return len(goodbyes()) == FANS and len(telegram.calls("unbanChatMember")) >= FANS

            await telegram.wait_until(removed, timeout=GUARD)
            deadline = time.monotonic() + GUARD
            while time.monotonic() < deadline:  # then until nothing is owed: a duplicate would show by then
                backlog = dict(await storage.outbox.backlog())
                pending = [  # the periodic reconciliation is always next: it is not owed work
                    timer
                    for timer in await storage.timer_store.pending(limit=10)
                    if timer.kind != RECONCILE_TIMER
                ]
                if not backlog and not pending:
                    break
                await asyncio.sleep(0.5)
            else:
                pytest.fail(f"not settled after {GUARD} s: backlog {backlog}, timers {len(pending)}")
            ended = [await service.status(fan) for fan in fans]
        finally:
            codes = [await served.stop() for served in processes]
    assert codes == [0, 0], [served.printed for served in processes]

    bans = Counter(int(call.params["user_id"]) for call in telegram.calls("banChatMember") if call.ok)
    unbans = Counter(int(call.params["user_id"]) for call in telegram.calls("unbanChatMember") if call.ok)
    told = goodbyes()
    assert granted_in_time
    assert set(bans) == set(unbans) == set(told) == set(fans)
    assert set(bans.values()) == set(unbans.values()) == set(told.values()) == {1}
    assert all(status is not None and status.ended_at is not None for status in ended)
    for call in telegram.calls("banChatMember"):
        assert call.params["chat_id"] == VIP_CHANNEL
