"""Settings: YABOT_* variables over a .env file over defaults, each bad value refused clearly."""

import os
from pathlib import Path

import pydantic
import pytest

from yabot_app.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No YABOT_* from the developer's shell, and no .env but the test's own."""
    for key in list(os.environ):
        if key.startswith("YABOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_embedded_profile() -> None:
    """With nothing set: SQLite under ./yabot-data, the API on loopback:8080, the bot off."""
    settings = Settings()
    assert settings.storage == "sqlite"
    assert settings.sqlite_path == Path("yabot-data/yabot.sqlite3")
    assert (settings.api_host, settings.api_port) == ("127.0.0.1", 8080)
    assert settings.telegram_state == "off"
    assert settings.admin_alerts_state == "off"


def test_dotenv_is_read_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A .env in the working directory sets values; a real environment variable overrides it."""
    (tmp_path / ".env").write_text(
        "YABOT_API_PORT=9090\nYABOT_BOT_TOKEN=123:abc\nYABOT_TIMEZONE=Europe/Madrid\n"
    )
    monkeypatch.setenv("YABOT_API_PORT", "9191")
    settings = Settings()
    assert settings.api_port == 9191
    assert settings.telegram_state == "on"
    assert settings.zone.key == "Europe/Madrid"


@pytest.mark.parametrize(("raw", "ids"), [("1, 2,3", [1, 2, 3]), ("[4, 5]", [4, 5]), ("7", [7]), ("", [])])
def test_admin_ids_accept_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, raw: str, ids: list[int]
) -> None:
    """YABOT_ADMIN_IDS takes ids separated by commas (brackets tolerated)."""
    monkeypatch.setenv("YABOT_ADMIN_IDS", raw)
    assert Settings().admin_ids == ids


@pytest.mark.parametrize(
    ("raw", "proxies"),
    [
        ("", []),
        ("127.0.0.1", ["127.0.0.1/32"]),
        ("10.0.0.5, 10.1.0.0/16,::1", ["10.0.0.5/32", "10.1.0.0/16", "::1/128"]),
        ("10.1.2.3/16", ["10.1.0.0/16"]),
    ],
)
def test_trusted_proxies_are_addresses_or_networks(
    monkeypatch: pytest.MonkeyPatch, raw: str, proxies: list[str]
) -> None:
    """YABOT_API_TRUSTED_PROXIES takes IPs and CIDR networks separated by commas; none by default."""
    monkeypatch.setenv("YABOT_API_TRUSTED_PROXIES", raw)
    assert Settings().api_trusted_proxies == proxies


def test_admin_alerts_need_the_bot_and_admins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Alerts go out only when the bot runs and someone is named to receive them."""
    monkeypatch.setenv("YABOT_ADMIN_IDS", "1")
    assert Settings().admin_alerts_state == "off"
    monkeypatch.setenv("YABOT_BOT_TOKEN", "123:abc")
    assert Settings().admin_alerts_state == "on"


def test_a_blank_token_leaves_the_bot_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty or blank token (a template .env, say) does not switch the bot on."""
    monkeypatch.setenv("YABOT_BOT_TOKEN", "   ")
    assert Settings().telegram_state == "off"


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("YABOT_TIMEZONE", "Marte/Olympus", "zona horaria desconocida"),
        ("YABOT_TELEGRAM_API_URL", "api.telegram.org", "http:// o https://"),
        ("YABOT_STORAGE", "papel", "storage"),
        ("YABOT_API_PORT", "0", "api_port"),
        ("YABOT_WELCOME_BESITOS", "-1", "welcome_besitos"),
        ("YABOT_ADMIN_IDS", "uno,dos", "admin_ids"),
        ("YABOT_API_TRUSTED_PROXIES", "*", "proxy no válido: '\\*'"),
        ("YABOT_API_TRUSTED_PROXIES", "10.0.0.5,proxy.local", "proxy no válido: 'proxy.local'"),
        (
            "YABOT_TELEGRAM_USER_RATE",
            "-1",
            "debe estar entre 0 y 1000 \\(0 desactiva el límite por usuario\\)",
        ),
        ("YABOT_TELEGRAM_USER_RATE", "1001", "debe estar entre 0 y 1000"),
        ("YABOT_TELEGRAM_USER_PERIOD", "0", "debe estar entre 0.1 y 3600 segundos"),
        ("YABOT_TELEGRAM_USER_PERIOD", "86400", "debe estar entre 0.1 y 3600 segundos"),
    ],
)
def test_bad_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fragment: str
) -> None:
    """A wrong value stops start-up naming the setting (the CLI turns it into Spanish lines)."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(pydantic.ValidationError, match=fragment):
        Settings()


def test_zero_turns_the_rate_limit_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """YABOT_API_RATE_LIMIT_PER_MINUTE=0 means no limit."""
    monkeypatch.setenv("YABOT_API_RATE_LIMIT_PER_MINUTE", "0")
    assert Settings().api_rate_limit is None


def test_the_per_user_pace_is_off_at_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """By default a user may send 10 messages per 10 s; YABOT_TELEGRAM_USER_RATE=0 lifts the limit."""
    assert Settings().telegram_user_pace == (10, 10.0)
    monkeypatch.setenv("YABOT_TELEGRAM_USER_RATE", "0")
    assert Settings().telegram_user_pace is None


def test_the_vip_channel_says_whether_its_door_is_on() -> None:
    """Without YABOT_VIP_CHANNEL_ID the banner and `yabot status` say the door is off, and how to fix it."""
    assert "YABOT_VIP_CHANNEL_ID" in Settings(vip_channel_id=None).describe_vip_channel()
    links = Settings(vip_channel_id=-1001).describe_vip_channel()
    assert "-1001" in links
    assert "enlaces personales" in links
    assert "solicitudes" in Settings(vip_channel_id=-1001, vip_join_requests=True).describe_vip_channel()
