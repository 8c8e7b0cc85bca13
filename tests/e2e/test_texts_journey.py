"""The creator rewrites Lucien's words in a real `yabot run`: the fan's /saldo says them."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.process import Served, yabot_env
from yabot_adapters.telegram.testing import FakeTelegramServer

pytestmark = pytest.mark.slow

GUARD = 60.0
OVERRIDE = "wallet-balance-header = Abramos juntos el cofre de Diana, <b>{ $nombre }</b>.\n"


@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(known_chats_only=False) as server:
        yield server


async def test_a_creators_override_reaches_the_fans_balance(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    """With content/textos.ftl under YABOT_DATA_DIR, /saldo opens with the creator's words."""
    env = yabot_env(tmp_path, bot_token=telegram.token, telegram_api_url=telegram.base_url)
    content = Path(env["YABOT_DATA_DIR"]) / "content"
    content.mkdir(parents=True)
    (content / "textos.ftl").write_text(OVERRIDE, encoding="utf-8")
    served = Served(env, tmp_path)
    try:
        await served.start()
        await served.wait_for_output("Bot de Telegram escuchando", timeout=GUARD)
        telegram.feed(telegram.message_update(701, "/saldo", first_name="Marta"))
        (balance,) = await telegram.wait_for_messages(701, 1, timeout=GUARD)
    finally:
        assert await served.stop() == 0, served.printed
    assert balance.startswith("Abramos juntos el cofre de Diana, <b>Marta</b>.")
    assert "Permítame consultar el libro de cuentas" not in balance
    assert "textos.ftl" not in served.printed  # a sound override is not reported as a problem
