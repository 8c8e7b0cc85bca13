"""YABOT_PROFILE: production's storage, bus and Telegram mode unless each is set; nothing missing to serve."""

import os
from pathlib import Path

import pytest

from yabot_app.container import build_container, telegram_webhook
from yabot_app.errors import StartupError
from yabot_app.lifecycle import serving
from yabot_app.settings import Settings

TOKEN = "123456789:AAE-profile-test-token"  # noqa: S105  (the tests' own)
SECRET = "s3creto"  # noqa: S105  (the tests' own)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No YABOT_* from the developer's shell, and no .env."""
    for key in list(os.environ):
        if key.startswith("YABOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_production_chooses_mongo_redis_and_the_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production profile changes the three defaults; embedded (the default) keeps them."""
    assert (Settings().storage, Settings().bus, Settings().telegram_mode) == ("sqlite", "local", "polling")
    monkeypatch.setenv("YABOT_PROFILE", "production")
    settings = Settings()
    assert (settings.storage, settings.bus, settings.telegram_mode) == ("mongo", "redis", "webhook")


def test_an_explicit_setting_wins_over_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under production, YABOT_STORAGE, YABOT_BUS, YABOT_TELEGRAM_MODE and YABOT_SHARED_STATE set by hand
    are kept."""
    monkeypatch.setenv("YABOT_PROFILE", "production")
    monkeypatch.setenv("YABOT_STORAGE", "sqlite")
    monkeypatch.setenv("YABOT_BUS", "local")
    monkeypatch.setenv("YABOT_TELEGRAM_MODE", "polling")
    monkeypatch.setenv("YABOT_SHARED_STATE", "memory")
    settings = Settings()
    assert (settings.storage, settings.bus, settings.telegram_mode, settings.shared_state) == (
        "sqlite",
        "local",
        "polling",
        "memory",
    )
    assert settings.missing_to_serve() == []


def test_production_names_every_missing_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production does not serve on a laptop's defaults: each missing URL, token or secret is named."""
    monkeypatch.setenv("YABOT_PROFILE", "production")
    missing = ["YABOT_MONGO_URL", "YABOT_REDIS_URL", "YABOT_BOT_TOKEN"]
    assert Settings().missing_to_serve() == missing
    monkeypatch.setenv("YABOT_BOT_TOKEN", TOKEN)
    assert Settings().missing_to_serve() == [*missing[:2], "YABOT_WEBHOOK_SECRET"]
    monkeypatch.setenv("YABOT_MONGO_URL", "mongodb://db.internal:27017/?replicaSet=rs0")
    monkeypatch.setenv("YABOT_REDIS_URL", "redis://cache.internal:6379/0")
    monkeypatch.setenv("YABOT_WEBHOOK_SECRET", "s3creto")
    assert Settings().missing_to_serve() == []


def test_a_webhook_secret_outside_telegrams_alphabet_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram takes 1 to 256 letters, digits, _ and -: anything else is refused when read."""
    monkeypatch.setenv("YABOT_WEBHOOK_SECRET", "con espacios")
    with pytest.raises(ValueError, match="letras, cifras"):
        Settings()


async def test_serving_with_something_missing_stops_before_opening_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``yabot run`` says in one Spanish line what is missing, and opens nothing (no SQLite file)."""
    monkeypatch.setenv("YABOT_PROFILE", "production")
    monkeypatch.setenv("YABOT_STORAGE", "sqlite")
    monkeypatch.setenv("YABOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YABOT_BOT_TOKEN", TOKEN)
    reported: list[str] = []
    with pytest.raises(StartupError) as refused:
        async with serving(build_container(Settings()), reported.append):
            pytest.fail("it served")
    assert str(refused.value) == (
        "Falta configurar YABOT_REDIS_URL, YABOT_WEBHOOK_SECRET (perfil production, Telegram por webhook)."
    )
    assert reported == []
    assert not (tmp_path / "data").exists()


def test_the_webhook_route_is_served_only_by_a_webhook_bot() -> None:
    """The HTTP app gets the webhook route when this process runs the bot in webhook mode, and only then."""
    receiver = object()
    polling = Settings(bot_token=TOKEN, storage="memory")
    webhook = Settings(bot_token=TOKEN, storage="memory", telegram_mode="webhook", webhook_secret=SECRET)
    assert telegram_webhook(polling, True, lambda: receiver) is None  # type: ignore[arg-type, return-value]
    assert telegram_webhook(webhook, False, lambda: receiver) is None  # type: ignore[arg-type, return-value]
    hooked = telegram_webhook(webhook, True, lambda: receiver)  # type: ignore[arg-type, return-value]
    assert hooked is not None
    assert (hooked.secret, hooked.receiver) == (SECRET, receiver)
