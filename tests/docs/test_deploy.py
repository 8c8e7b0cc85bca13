"""deploy/ cannot run here (no container engine), so what can be checked is: the files parse, every
variable given to YABOT is a setting with a valid value, and the processes are the ones the acceptance
journey starts (`yabot run`, production profile, the same variables)."""

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.e2e.cluster import production_env
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
YABOTS = ("yabot1", "yabot2", "yabot3")
ONLY_IN_TESTS = {
    "YABOT_MONGO_EXCLUSIVE",  # the wire server's workaround, never a real MongoDB's
    "YABOT_TELEGRAM_API_URL",  # the fake Bot API
    "YABOT_OUTBOX_POLL_INTERVAL",  # short leases and polls: a killed process is replaced in seconds
    "YABOT_OUTBOX_LEASE_SECONDS",
    "YABOT_WEBHOOK_LEASE_SECONDS",
    "YABOT_SHUTDOWN_TIMEOUT",
    "YABOT_WELCOME_BESITOS",  # the journey counts the gift
    "YABOT_BACKUP_HOURS",  # no timers the journey does not count
    "YABOT_RECONCILE_HOURS",
}
"""What the journey sets and a deployment leaves at its default."""


@pytest.fixture(name="compose", scope="module")
def compose_fixture() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def example_env() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return dict(pairs)


def yabot_env(compose: dict[str, Any], service: str) -> dict[str, str]:
    """What one YABOT service's process sees: its `environment`, then the example `.env`."""
    definition = compose["services"][service]
    assert definition["env_file"] == [".env"]
    return {**{k: v for k, v in example_env().items() if k.startswith("YABOT_")}, **definition["environment"]}


def test_three_identical_yabot_processes_run_yabot_run(compose: dict[str, Any]) -> None:
    """The same image, command and environment three times: N identical stateless processes."""
    services = compose["services"]
    assert [services[name]["command"] for name in YABOTS] == [["yabot", "run"]] * 3
    assert services["yabot1"] == services["yabot2"] == services["yabot3"]


def test_every_variable_is_a_valid_production_setting(compose: dict[str, Any]) -> None:
    """Every YABOT_* is a setting; with them the production profile lacks nothing `yabot run` asks for."""
    env = yabot_env(compose, "yabot1")
    fields = {f"YABOT_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, set(env) - fields
    settings = Settings.model_validate(
        {name.removeprefix("YABOT_").lower(): value for name, value in env.items()}
    )
    assert (
        settings.profile,
        settings.storage,
        settings.bus,
        settings.telegram_mode,
        settings.shared_state,
    ) == (
        "production",
        "mongo",
        "redis",
        "webhook",
        "redis",
    )
    assert settings.missing_to_serve() == []


async def test_the_journey_starts_the_processes_this_file_deploys(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    """The acceptance journey's processes get the same variables (their values pointing at its servers)."""
    deployed = set(yabot_env(compose, "yabot1")) - {"YABOT_API_HOST", "YABOT_API_TRUSTED_PROXIES"}
    deployed -= {"YABOT_ADMIN_IDS", "YABOT_TIMEZONE"}  # the creator's choices; the journey keeps defaults
    async with FakeTelegramServer() as telegram:
        started = production_env(
            tmp_path,
            telegram=telegram,
            mongo_url="mongodb://x",
            database="d",
            redis_url="redis://x",
            prefix="p",
        )
    journey = {name for name in started if name.startswith("YABOT_")}
    assert deployed <= journey, deployed - journey
    assert journey - deployed <= ONLY_IN_TESTS | {"YABOT_API_PORT"}, journey - deployed - ONLY_IN_TESTS


def test_mongo_is_a_replica_set_of_the_members_yabot_names(compose: dict[str, Any]) -> None:
    """mongo-init initiates rs0 with exactly the hosts in YABOT_MONGO_URL, which asks for that set."""
    url = yabot_env(compose, "yabot1")["YABOT_MONGO_URL"]
    hosts = re.search(r"mongodb://([^/]+)/", url)
    assert hosts is not None
    assert "replicaSet=rs0" in url
    script = " ".join(compose["services"]["mongo-init"]["command"])
    assert re.findall(r'host: "([^"]+)"', script) == hosts[1].split(",")
    for member in hosts[1].split(","):
        assert "--replSet" in compose["services"][member.split(":")[0]]["command"]


def test_redis_keeps_every_write_in_its_append_only_file(compose: dict[str, Any]) -> None:
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "always"
    assert yabot_env(compose, "yabot1")["YABOT_REDIS_URL"] == "redis://redis:6379/0"


def test_the_proxy_serves_tls_to_all_three_and_is_the_trusted_one(compose: dict[str, Any]) -> None:
    """Caddy (automatic TLS) proxies to each process's port; its address is the one YABOT trusts."""
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    env = yabot_env(compose, "yabot1")
    assert re.findall(r"(yabot\d):(\d+)", caddyfile) == [(name, env["YABOT_API_PORT"]) for name in YABOTS]
    assert "{$BOT_DOMAIN}" in caddyfile
    assert "BOT_DOMAIN" in example_env()
    caddy = compose["services"]["caddy"]
    assert caddy["networks"]["internal"]["ipv4_address"] == env["YABOT_API_TRUSTED_PROXIES"]
    assert "443:443" in caddy["ports"]
