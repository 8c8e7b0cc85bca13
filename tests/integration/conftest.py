"""Fixtures of the integration suite: the fake Telegram server, a bot polling it, the API's credentials."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.contracts.common import api_keys_over
from tests.integration.http_apps import BOT_TOKEN, bearer
from tests.integration.telegram_world import World
from yabot_adapters.http.auth import Authenticator, InitDataVerifier
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.apikeys import USERS_READ, ApiKeys
from yabot_core.kernel import FakeClock, SequentialIds


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


@pytest.fixture(name="api_keys")
def api_keys_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> ApiKeys:
    """API keys on the suite's in-memory storage, offering the core scopes."""
    return api_keys_over(storage, clock, ids)


@pytest.fixture(name="authenticator")
def authenticator_fixture(api_keys: ApiKeys, clock: FakeClock) -> Authenticator:
    """Keys, and Mini App ``initData`` signed with the tests' bot token (valid for an hour)."""
    return Authenticator(api_keys, InitDataVerifier(BOT_TOKEN, max_age=timedelta(hours=1), clock=clock))


@pytest.fixture(name="reader")
async def reader_fixture(api_keys: ApiKeys) -> str:
    """The ``Authorization`` of a key that reads any user's data (``users:read``)."""
    return await bearer(api_keys, "lector", USERS_READ)
