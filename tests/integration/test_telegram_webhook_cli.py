"""`yabot webhook set|info|delete` against the fake Bot API: what Telegram is told and the operator reads."""

import asyncio
from pathlib import Path
from typing import Final

import pytest
from click.testing import CliRunner, Result

from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.cli.main import cli

URL: Final = "https://bot.example.org/telegram/webhook"
SECRET: Final = "el-secreto_de_Diana"  # noqa: S105  (the tests' own)


async def yabot(server: FakeTelegramServer, tmp_path: Path, *args: str, **settings: str) -> Result:
    """Run ``yabot ARGS`` in-process; in a thread, so this loop keeps serving the fake Bot API meanwhile."""
    env = {
        "YABOT_BOT_TOKEN": server.token,
        "YABOT_TELEGRAM_API_URL": server.base_url,
        "YABOT_STORAGE": "sqlite",
        "YABOT_DATA_DIR": str(tmp_path),
        **{f"YABOT_{name.upper()}": value for name, value in settings.items()},
    }
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)


async def test_set_info_and_delete_tell_telegram_and_the_operator(
    server: FakeTelegramServer, tmp_path: Path
) -> None:
    """`set --secret auto` registers the URL, a new secret and the bot's update types; `delete` ends it."""
    done = await yabot(server, tmp_path, "webhook", "set", URL, "--secret", "auto")
    assert done.exit_code == 0, done.output
    assert server.webhook is not None
    assert server.webhook["url"] == URL
    secret = server.webhook["secret_token"]
    assert f"Secreto generado: {secret}" in done.output
    assert len(secret) >= 32
    assert {"message", "callback_query", "pre_checkout_query"} <= set(server.webhook["allowed_updates"])

    info = await yabot(server, tmp_path, "webhook", "info")
    assert info.exit_code == 0, info.output
    assert f"URL: {URL}" in info.output
    assert "callback_query" in info.output

    deleted = await yabot(server, tmp_path, "webhook", "delete")
    assert deleted.exit_code == 0, deleted.output
    assert server.webhook is None
    assert "Sin webhook" in (await yabot(server, tmp_path, "webhook", "info")).output


async def test_set_uses_the_configured_secret(server: FakeTelegramServer, tmp_path: Path) -> None:
    """Without `--secret auto` the secret is `YABOT_WEBHOOK_SECRET`, not printed; status counts the inbox."""
    done = await yabot(server, tmp_path, "webhook", "set", URL, webhook_secret=SECRET)
    assert done.exit_code == 0, done.output
    assert server.webhook is not None
    assert server.webhook["secret_token"] == SECRET
    assert SECRET not in done.output
    status = await yabot(server, tmp_path, "status", telegram_mode="webhook", webhook_secret=SECRET)
    assert "Actualizaciones de Telegram recibidas sin atender: 0" in status.output


@pytest.mark.parametrize(
    ("args", "settings", "says"),
    [
        (("http://bot.example.org/telegram/webhook",), {"webhook_secret": SECRET}, "https://"),
        ((URL,), {}, "YABOT_WEBHOOK_SECRET"),
        ((URL, "--secret", "mio"), {}, "«auto»"),
        ((URL,), {"webhook_secret": SECRET, "bot_token": ""}, "YABOT_BOT_TOKEN"),
    ],
    ids=["plain-http", "no-secret", "secret-on-the-command-line", "no-token"],
)
async def test_set_refuses_what_telegram_or_safety_would_not_take(
    server: FakeTelegramServer, tmp_path: Path, args: tuple[str, ...], settings: dict[str, str], says: str
) -> None:
    """Plain HTTP, no secret, a secret typed on the command line, no token: one Spanish line, no call."""
    refused = await yabot(server, tmp_path, "webhook", "set", *args, **settings)
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: ")
    assert says in refused.output
    assert server.calls("setWebhook") == []
