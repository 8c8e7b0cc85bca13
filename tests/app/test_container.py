"""The container wires the right adapters and event routes for the settings it is given."""

from pathlib import Path

from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.sqlite import SqliteStorage
from yabot_app.container import build_container
from yabot_app.settings import Settings


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings.model_validate({"data_dir": tmp_path, **values})


def handler_names(container_settings: Settings) -> list[str]:
    container = build_container(container_settings)
    return [subscription.name for subscription in container.event_routes().subscriptions]


def test_storage_follows_the_setting(tmp_path: Path) -> None:
    """YABOT_STORAGE picks the backend; every service shares the one instance."""
    memory = build_container(settings(tmp_path, storage="memory"))
    assert isinstance(memory.storage(), InMemoryStorage)
    assert memory.storage() is memory.storage()
    sqlite = build_container(settings(tmp_path, storage="sqlite"))
    storage = sqlite.storage()
    assert isinstance(storage, SqliteStorage)
    assert storage.path == tmp_path / "yabot.sqlite3"


def test_without_a_bot_only_core_handlers_are_routed(tmp_path: Path) -> None:
    """With the bot off, only the welcome gift reacts to events."""
    assert handler_names(settings(tmp_path, storage="memory", admin_ids=[1])) == ["gamification.welcome_gift"]


def test_with_a_bot_and_admins_the_telegram_handlers_are_routed(tmp_path: Path) -> None:
    """With a token, grants are announced; with admins too, failures are alerted."""
    base = {"storage": "memory", "bot_token": "123:abc"}
    assert handler_names(settings(tmp_path, **base)) == [
        "gamification.welcome_gift",
        "telegram.notify_besitos_awarded",
    ]
    assert handler_names(settings(tmp_path, **base, admin_ids=[1])) == [
        "gamification.welcome_gift",
        "telegram.notify_besitos_awarded",
        "telegram.alert_admins",
    ]


def test_readiness_asks_the_bot_only_when_it_is_on(tmp_path: Path) -> None:
    """/readyz checks storage and events; with a bot token it also checks that polling gets updates."""
    off = build_container(settings(tmp_path, storage="memory"))
    assert [check.name for check in off.readiness()] == ["storage", "events"]
    on = build_container(settings(tmp_path, storage="memory", bot_token="123:abc"))  # noqa: S106  (a fake token)
    checks = on.readiness()
    assert [check.name for check in checks] == ["storage", "events", "telegram"]
    assert checks[2].check == on.telegram_polling().check_ready
