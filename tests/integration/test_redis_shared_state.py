"""What the processes share in Redis: fans' paces, the API's rate limits, FSM states; and Redis going away.

"Another process" is a second client of the same server: what it counts, the bot counts too. The outage is
real: the test's own ``redis-server`` is stopped and started again on the same port.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from tests.integration.http_apps import keys_only
from tests.integration.telegram_world import ANA, GUARD, World
from tests.servers.redis import OwnRedis
from yabot_adapters.http import create_app
from yabot_adapters.redis.fsm import SharedFsmStorage
from yabot_adapters.redis.paces import RedisPaces
from yabot_adapters.redis.rate_limits import SharedRateLimitStore
from yabot_adapters.redis.shared import SharedRedis, SharedStateUnavailableError
from yabot_adapters.telegram import UserPace, Verdict
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock
from yabot_core.users import UserNotFoundError

RETRY_LATER = "inténtelo de nuevo en un momento"
ANSWERED = "Le escucho"  # the fallback's answer to plain chatter
BEA = 5151


@pytest.fixture(name="shared")
async def shared_fixture(
    redis_url: str, redis_prefix: str, redis_client: Redis
) -> AsyncIterator[SharedRedis]:
    """A process's view of the shared state (``redis_client`` deletes the test's keys afterwards)."""
    shared = SharedRedis.from_url(redis_url, redis_prefix)
    yield shared
    await shared.close()


@pytest.fixture(name="other")
async def other_fixture(redis_url: str, redis_prefix: str) -> AsyncIterator[SharedRedis]:
    """Another process's view of the same shared state: its own client, the same keys."""
    shared = SharedRedis.from_url(redis_url, redis_prefix)
    yield shared
    await shared.close()


@pytest.fixture(name="own_redis")
def own_redis_fixture(tmp_path: Path) -> Iterator[OwnRedis]:
    with OwnRedis(tmp_path) as server:
        yield server


class TestPaces:
    async def test_two_processes_count_one_allowance(self, shared: SharedRedis, other: SharedRedis) -> None:
        """3 per minute, counted alternately by two processes: 3 admitted, one warning, then silence."""
        pace = UserPace(3, 60)
        here, there = RedisPaces(shared, pace), RedisPaces(other, pace)
        verdicts = [await (here if n % 2 else there).judge(ANA) for n in range(6)]
        assert verdicts == [Verdict.ADMIT] * 3 + [Verdict.WARN, Verdict.IGNORE, Verdict.IGNORE]
        assert await here.judge(BEA) is Verdict.ADMIT  # nobody else notices

    async def test_the_allowance_comes_back_after_the_period(self, shared: SharedRedis) -> None:
        """A short period: once it has passed (Redis's own clock), the user is admitted again."""
        paces = RedisPaces(shared, UserPace(1, 0.05))
        assert [await paces.judge(ANA), await paces.judge(ANA)] == [Verdict.ADMIT, Verdict.WARN]
        async with asyncio.timeout(GUARD):
            while await paces.judge(ANA) is not Verdict.ADMIT:  # noqa: ASYNC110  (Redis's clock decides)
                await asyncio.sleep(0.02)

    async def test_the_bot_counts_what_another_process_counted(
        self,
        clock: FakeClock,
        server: FakeTelegramServer,
        redis_url: str,
        redis_prefix: str,
        other: SharedRedis,
    ) -> None:
        """Another process admitted 4 of Ana's 5: the bot answers one more, then Lucien asks for a pause."""
        elsewhere = RedisPaces(other, UserPace(5, 600))
        for _ in range(4):
            assert await elsewhere.judge(ANA) is Verdict.ADMIT
        world = World(
            clock,
            server,
            shared_state="redis",
            redis_url=redis_url,
            redis_prefix=redis_prefix,
            telegram_user_rate=5,
            telegram_user_period=600,
        )
        await world.start_polling()
        try:
            assert ANSWERED in await world.say("Hola")
            assert "Permítame un respiro" in await world.say("¿Sigue ahí?")
        finally:
            await world.close()


class TestFsmStorage:
    async def test_a_state_set_by_one_process_is_read_by_another(
        self, shared: SharedRedis, other: SharedRedis
    ) -> None:
        """States and data written through one client are read through another (aiogram's own storage)."""
        key = StorageKey(bot_id=1, chat_id=ANA, user_id=ANA)
        await SharedFsmStorage(shared).set_state(key, "tienda:pagar")
        await SharedFsmStorage(shared).set_data(key, {"articulo": "pista-1"})
        reader = SharedFsmStorage(other)
        assert await reader.get_state(key) == "tienda:pagar"
        assert await reader.get_data(key) == {"articulo": "pista-1"}

    async def test_each_dialog_keeps_its_own_stack(self, shared: SharedRedis, redis_client: Redis) -> None:
        """The destiny is part of the key (aiogram-dialog's requirement): two destinies never overwrite."""
        storage = SharedFsmStorage(shared)
        menu, wizard = (StorageKey(bot_id=1, chat_id=ANA, user_id=ANA, destiny=d) for d in ("menu", "alta"))
        await storage.set_data(menu, {"pantalla": 1})
        await storage.set_data(wizard, {"pantalla": 2})
        assert [await storage.get_data(menu), await storage.get_data(wizard)] == [
            {"pantalla": 1},
            {"pantalla": 2},
        ]
        keys = {key async for key in redis_client.scan_iter(match=f"{shared.prefix}:fsm:*")}
        assert {key.split(":")[-2] for key in keys} == {"menu", "alta"}


class TestRateLimits:
    """Litestar's test client serves the app from a loop of its own: each app's Redis client is made, used
    and closed there (through the client's portal)."""

    async def test_two_processes_allow_one_budget(
        self, redis_url: str, redis_prefix: str, redis_client: Redis
    ) -> None:
        """3 requests a minute per caller, over two apps (two processes) sharing Redis: the 4th is refused."""
        shares = [SharedRedis.from_url(redis_url, redis_prefix) for _ in range(2)]
        apps = [
            create_app(
                authenticator=keys_only(), rate_limit_per_minute=3, rate_limit_store=SharedRateLimitStore(s)
            )
            for s in shares
        ]
        async with AsyncTestClient(app=apps[0]) as first, AsyncTestClient(app=apps[1]) as second:
            clients = (second, first)
            statuses = [(await clients[n % 2].get("/api/v1/schema")).status_code for n in range(4)]
            for client, shared in zip(clients, reversed(shares), strict=True):
                client.blocking_portal.call(shared.close)
        assert statuses == [200, 200, 200, 429]


class TestOutage:
    async def test_every_part_says_so_in_spanish(self, own_redis: OwnRedis) -> None:
        """Redis stopped: paces, FSM, rate limits and the probe raise the transient Spanish error."""
        shared = SharedRedis.from_url(own_redis.url, "caida")
        try:
            own_redis.stop()
            with pytest.raises(SharedStateUnavailableError) as refused:
                await RedisPaces(shared, UserPace(3, 60)).judge(ANA)
            assert RETRY_LATER in refused.value.message
            assert refused.value.transient
            with pytest.raises(SharedStateUnavailableError):
                await SharedFsmStorage(shared).get_state(StorageKey(bot_id=1, chat_id=ANA, user_id=ANA))
            with pytest.raises(SharedStateUnavailableError):
                await SharedRateLimitStore(shared).get("alguien")
            with pytest.raises(SharedStateUnavailableError):
                await shared.ping()
            own_redis.start()
            assert await RedisPaces(shared, UserPace(3, 60)).judge(ANA) is Verdict.ADMIT
        finally:
            await shared.close()

    async def test_the_api_answers_503_with_a_code_and_recovers(self, own_redis: OwnRedis) -> None:
        """While Redis is down the rate-limited API answers 503 with a stable code, then serves again."""
        shared = SharedRedis.from_url(own_redis.url, "caida")
        app = create_app(
            authenticator=keys_only(), rate_limit_per_minute=5, rate_limit_store=SharedRateLimitStore(shared)
        )
        async with AsyncTestClient(app=app) as client:
            try:
                assert (await client.get("/api/v1/schema")).status_code == 200
                own_redis.stop()
                down = await client.get("/api/v1/schema")
                assert (down.status_code, down.json()["code"]) == (503, "estado_compartido_no_disponible")
                assert RETRY_LATER in down.json()["message"]
                assert int(down.headers["retry-after"]) > 0
                own_redis.start()
                assert (await client.get("/api/v1/schema")).status_code == 200
            finally:
                client.blocking_portal.call(shared.close)

    async def test_fans_hear_lucien_ask_to_try_again_and_nothing_changes(
        self, clock: FakeClock, server: FakeTelegramServer, own_redis: OwnRedis
    ) -> None:
        """Redis down: a new fan's /start is apologised for and registers nobody; back up, it works."""
        world = World(clock, server, shared_state="redis", redis_url=own_redis.url, redis_prefix="caida")
        await world.start_polling()
        try:
            own_redis.stop()
            apology = await world.say("/start")
            assert RETRY_LATER in apology
            with pytest.raises(UserNotFoundError):
                await world.users.get(ANA)
            assert (await world.wallet.balance(ANA)).balance == 0
            own_redis.start()
            assert "Ana" in await world.say("/start")
            assert (await world.users.get(ANA)).first_name == "Ana"
        finally:
            await world.close()
