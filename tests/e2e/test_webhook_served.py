"""A real `yabot run` in webhook mode: Telegram's push is answered, handled once, and readiness says so."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import httpx
import pytest

from tests.e2e.process import Served, yabot_env
from yabot_adapters.telegram.testing import FakeTelegramServer

pytestmark = pytest.mark.slow

SECRET: Final = "secreto-e2e_del-webhook"  # noqa: S105  (the test's own)
HEADER: Final = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_a_webhook_process_handles_each_push_once_and_never_polls(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """Pushed twice, /start is greeted once; nobody polls; /readyz shows the webhook worker running."""
    env = yabot_env(
        tmp_path,
        bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        telegram_mode="webhook",
        webhook_secret=SECRET,
    )
    start = telegram.message_update(701, "/start", first_name="Marta")
    async with Served(env, tmp_path) as served, httpx.AsyncClient(base_url=served.url) as client:
        await served.wait_for_output("Bot de Telegram por webhook", timeout=60)
        refused = await client.post("/telegram/webhook", json=start)
        assert (refused.status_code, refused.json()["code"]) == (401, "webhook_secreto_invalido")
        first = await client.post("/telegram/webhook", json=start, headers=HEADER)
        again = await client.post("/telegram/webhook", json=start, headers=HEADER)
        assert [first.json()["duplicate"], again.json()["duplicate"]] == [False, True]
        (greeting,) = await telegram.wait_for_messages(701, 1, timeout=60)
        assert "Marta" in greeting
        ready = await served.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["telegram"] == "ok"
        await client.post("/telegram/webhook", json=telegram.message_update(701, "/ayuda"), headers=HEADER)
        await telegram.wait_for_messages(701, 2, timeout=60)  # in order: a handled repeat would come first
        assert "lo que puedo hacer por usted" in telegram.messages(701)[1]
        assert await served.stop() == 0, served.printed
    assert telegram.calls("getUpdates") == []
    assert "Traceback" not in served.printed
