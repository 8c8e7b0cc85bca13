"""A VIP already due when the process starts: shown out of the channel and told, like every other.

The expiry sweep runs as soon as the subscriptions module starts, before the event relay does. What it commits
then must already be owed to the handlers (the door, Lucien's goodbye): a commit made before the bus routes
the storage is owed to nobody and its events are not kept. Driven by ``lifecycle.working``, the product's
own start, on memory storage with a fake clock and the fake Bot API server.
"""

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any, Final

import pytest

from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.container import Container, build_container
from yabot_app.lifecycle import working
from yabot_app.modules import MODULES
from yabot_app.modules.plug import BuiltModules, Kernel, ModulePlug
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.settings import Settings
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, ModuleManifest, RetryPolicy, SequentialIds, UserId
from yabot_core.subscriptions import SubscriptionService

VIP_CHANNEL: Final = -1005550000001
ANA: Final = UserId(4242)
GOODBYE: Final = "llegado a su fin"
"""A phrase of Lucien's goodbye (``vip-caducado``)."""
GUARD: Final = 60.0
"""Seconds before a wait counts as hung (never a timing assert)."""


class SweepOnStart(ModulePlug[SubscriptionService]):
    """A module that, while starting, closes what is due and waits for it: the sweep's first pass, for sure.

    The subscriptions module's own sweep runs in the background from its start; this one awaits it, so the
    test does not depend on how far the background pass got before the relay started.
    """

    manifest = ModuleManifest(
        name="sweep_on_start", title="Barrido al arrancar", depends_on=("subscriptions",)
    )

    def build(self, kernel: Kernel, modules: BuiltModules) -> SubscriptionService:
        """The subscriptions service."""
        return modules.get(SubscriptionsModule).service

    async def start(self, services: SubscriptionService) -> None:
        """Close every subscription due now."""
        await services.sweep()


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


def product(clock: FakeClock, server: FakeTelegramServer, plugs: Sequence[ModulePlug[Any]]) -> Container:
    settings = Settings.model_validate(
        {
            "storage": "memory",
            "bot_token": server.token,
            "telegram_api_url": server.base_url,
            "vip_channel_id": VIP_CHANNEL,
            "welcome_besitos": 0,
            "timezone": "UTC",
            "data_dir": "/nonexistent/yabot-tests",
        }
    )
    return build_container(
        settings,
        clock=clock,
        ids=SequentialIds("d"),
        retry=RetryPolicy(attempts=3, first_delay=0.0, max_delay=0.0),
        plugs=plugs,
    )


async def grant_ending_now(container: Container, clock: FakeClock) -> None:
    """A 30-day VIP granted 30 days ago (memory storage keeps it: opening it again prepares nothing)."""
    service = container.modules().get(SubscriptionsModule).service
    clock.advance(-timedelta(days=30))
    await service.grant(ANA, days=30, actor=Actor.operator("t"), idempotency_key="g")
    clock.advance(timedelta(days=30, seconds=1))


@pytest.mark.parametrize(
    "plugs",
    [pytest.param(MODULES, id="registry"), pytest.param((*MODULES, SweepOnStart()), id="sweep-awaited")],
)
async def test_a_vip_due_at_start_is_shown_out_and_told(
    clock: FakeClock, server: FakeTelegramServer, plugs: Sequence[ModulePlug[Any]]
) -> None:
    """The fan due before the start gets the ban, the unban and Lucien's goodbye."""
    container = product(clock, server, plugs)
    await grant_ending_now(container, clock)
    async with working(container):

        def done() -> bool:
            unbanned = any(call.ok for call in server.calls("unbanChatMember"))
            return unbanned and any(GOODBYE in text for text in server.messages(ANA))

        await server.wait_until(done, timeout=GUARD)
    status = await container.modules().get(SubscriptionsModule).service.status(ANA)
    assert status is not None
    assert status.ended_at is not None
    assert [int(call.params["user_id"]) for call in server.calls("banChatMember") if call.ok] == [ANA]
