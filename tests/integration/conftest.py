"""Fixtures of the integration suite: the fake Telegram server and a bot polling it."""

from collections.abc import AsyncIterator

import pytest

from tests.integration.telegram_world import World
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server)
    await world.start_polling()
    yield world
    await world.close()
