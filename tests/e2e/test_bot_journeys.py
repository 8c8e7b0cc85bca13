"""The bot inside a real `yabot run`: it survives what a Bot API server or a proxy may send, and says so."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.process import Served, yabot_env
from yabot_adapters.telegram.testing import FakeTelegramServer

pytestmark = pytest.mark.slow

HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_odd_answers_and_unreadable_updates_do_not_stop_the_bot(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """An HTML 502 to the command menu and an unreadable update only warn; the fan is served; ready."""
    telegram.answer_raw("setMyCommands", 502, HTML_502)
    unreadable = telegram.message_update(601, "hola")
    del unreadable["message"]["chat"]
    telegram.feed(unreadable)
    telegram.feed(telegram.message_update(601, "/start", first_name="Marta"))
    served = Served(
        yabot_env(tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url), tmp_path
    )
    await served.start()
    try:
        await served.wait_for_output("Bot de Telegram escuchando", timeout=60)
        (greeting,) = await telegram.wait_for_messages(601, 1, timeout=60)
        assert "Marta" in greeting
        await telegram.wait_for_confirmation(unreadable["update_id"], timeout=60)
        ready = await served.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"].values()) == {"ok"}
        assert {"storage", "events", "timers", "telegram", "wallet.libro"} <= set(ready.json()["checks"])
    finally:
        assert await served.stop() == 0, served.printed
    assert "could not set the bot's command menu" in served.printed
    assert f"skipping Telegram update {unreadable['update_id']}" in served.printed
    assert "Traceback" not in served.printed


async def test_a_refused_token_is_told_and_shown_by_readyz(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """With a token Telegram rejects, the operator reads why, the API serves on and /readyz says it."""
    wrong = "987654321:not-the-right-token"  # the fake server refuses it, as Telegram would
    env = yabot_env(tmp_path, bot_token=wrong, telegram_api_url=telegram.base_url)
    served = Served(env, tmp_path)
    await served.start()
    try:
        await served.wait_for_output("Telegram rechazó el token del bot", timeout=60)
        ready = await served.get("/readyz")
        assert (await served.get("/healthz")).status_code == 200
    finally:
        assert await served.stop() == 0, served.printed
    assert ready.status_code == 503
    assert ready.json()["detail"]["checks"]["telegram"].startswith("error: Telegram rechazó el token del bot")
