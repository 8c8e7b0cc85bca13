"""YABOT_BUS picks the event bus: local by default, Redis Streams when asked, refused if unreachable."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.redis import RedisEventBus, RedisUnreachableError
from yabot_app.cli.main import cli
from yabot_app.container import build_container
from yabot_app.lifecycle import working
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.users import UserProfile

HANG_GUARD = 60.0
"""Seconds before a wait counts as hung (a hang guard, never a timing assert)."""


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings.model_validate({"storage": "memory", "data_dir": tmp_path, **values})


def test_the_local_bus_is_the_default(tmp_path: Path) -> None:
    """Without YABOT_BUS the events travel through the in-process relays."""
    assert isinstance(build_container(settings(tmp_path)).event_routes(), LocalEventBus)


PROBE = """
import sys
from yabot_app.cli.main import cli
from yabot_app.container import build_container
from yabot_app.settings import Settings
build_container(Settings(storage="memory", data_dir="/nonexistent")).event_routes()
print(sorted(name for name in sys.modules if name == "redis" or name.startswith("redis.")))
"""


def test_the_local_bus_never_imports_redis() -> None:
    """A process on the default bus does not pay for redis-py: it is imported only when chosen."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=HANG_GUARD
    )
    assert done.stdout.strip() == "[]"


def test_redis_is_chosen_with_its_prefix_and_partitions(tmp_path: Path) -> None:
    """YABOT_BUS=redis wires the Redis Streams bus, with YABOT_REDIS_PREFIX and YABOT_REDIS_PARTITIONS."""
    container = build_container(settings(tmp_path, bus="redis", redis_prefix="mi-bot", redis_partitions=4))
    bus = container.event_routes()
    assert isinstance(bus, RedisEventBus)
    assert (bus.layout.prefix, bus.layout.partitions) == ("mi-bot", 4)
    assert {route.name for route in bus.routes} >= {"welcome.gift"}


async def test_a_new_fan_gets_the_welcome_gift_through_redis(
    tmp_path: Path, redis_url: str, redis_prefix: str, redis_client: object, clock: FakeClock
) -> None:
    """The product over the Redis bus: registering a fan commits UserRegistered; the gift handler pays it."""
    values = {"bus": "redis", "redis_url": redis_url, "redis_prefix": redis_prefix, "welcome_besitos": 7}
    product = settings(tmp_path, **values)
    container = build_container(product, telegram=False, clock=clock, ids=SequentialIds())
    async with working(container):
        directory = container.modules().get(UsersModule).directory
        wallet = container.modules().get(WalletModule).wallet
        await directory.register(UserProfile(user_id=UserId(42), first_name="Ana"))
        async with asyncio.timeout(HANG_GUARD):
            while (await wallet.balance(UserId(42))).balance != 7:  # noqa: ASYNC110  (storage, no event)
                await asyncio.sleep(0.01)
        await container.event_routes().check_running()


async def test_an_unreachable_redis_stops_start_up_in_spanish(tmp_path: Path) -> None:
    """With YABOT_BUS=redis and nothing listening, start-up fails with a Spanish message naming the fix."""
    container = build_container(settings(tmp_path, bus="redis", redis_url="redis://127.0.0.1:1/0"))
    with pytest.raises(RedisUnreachableError) as refused:
        async with working(container):
            pytest.fail("started without Redis")
    assert "No se puede conectar con Redis en 127.0.0.1:1/0" in refused.value.message
    assert "YABOT_BUS=local" in refused.value.message


def test_the_shell_counts_what_waits_for_redis(
    tmp_path: Path, redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the Redis bus a shell grant commits its events for the publisher; pending and status count them."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "YABOT_DATA_DIR": str(tmp_path / "data"),
        "YABOT_BUS": "redis",
        "YABOT_REDIS_URL": redis_url,
        "YABOT_REDIS_PREFIX": redis_prefix,
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert runner.invoke(cli, ["events", "pending"]).output == "Ningún evento pendiente.\n"
    granted = runner.invoke(cli, ["wallet", "grant", "42", "5", "--reason", "Premio"])
    assert granted.exit_code == 0, granted.output
    pending = runner.invoke(cli, ["events", "pending"])
    assert pending.output.split() == ["redis-streams", "2"]  # the grant (BesitosAwarded) and UserRegistered
    assert "Eventos pendientes de entrega: 2" in runner.invoke(cli, ["status"]).output
