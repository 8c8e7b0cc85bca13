"""YABOT_SHARED_STATE: the production profile keeps paces, rate limits and FSM states in Redis."""

from pathlib import Path

from aiogram.fsm.storage.memory import MemoryStorage

from yabot_adapters.redis.fsm import SharedFsmStorage
from yabot_adapters.redis.rate_limits import SharedRateLimitStore
from yabot_app.container import build_container
from yabot_app.settings import Settings


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings.model_validate(
        {"storage": "memory", "data_dir": tmp_path, "bot_token": "1:token", **values}
    )


def test_memory_is_the_default_and_production_chooses_redis(tmp_path: Path) -> None:
    """Embedded keeps it in the process; production in Redis unless set explicitly."""
    assert settings(tmp_path).shared_state == "memory"
    assert settings(tmp_path, profile="production").shared_state == "redis"
    assert settings(tmp_path, profile="production", shared_state="memory").shared_state == "memory"


def test_production_needs_a_redis_url_for_the_shared_state_too(tmp_path: Path) -> None:
    """Even on the local bus, shared state on the default localhost Redis is named as missing."""
    chosen = settings(tmp_path, profile="production", bus="local", telegram_mode="polling")
    assert "YABOT_REDIS_URL" in chosen.missing_to_serve()


async def test_redis_serves_the_fsm_the_rate_limits_and_readiness(tmp_path: Path) -> None:
    """Wired from settings alone: the dispatcher's FSM storage, the API's store, a `redis` readiness check."""
    shared = build_container(settings(tmp_path, shared_state="redis", redis_url="redis://127.0.0.1:1/0"))
    try:
        assert isinstance(shared.dispatcher().storage, SharedFsmStorage)
        assert isinstance(shared.http_app().stores.get("rate_limit"), SharedRateLimitStore)
        assert "redis" in [check.name for check in shared.readiness()]
    finally:
        await shared.shared_redis().close()
    alone = build_container(settings(tmp_path))
    assert isinstance(alone.dispatcher().storage, MemoryStorage)
    assert "redis" not in [check.name for check in alone.readiness()]
