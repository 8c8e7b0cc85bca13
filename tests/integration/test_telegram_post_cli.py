"""`yabot post now` against the fake Bot API: a post with its reaction buttons, and a refusal in Spanish."""

import asyncio
from pathlib import Path
from typing import Final

from click.testing import CliRunner, Result

from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_app.cli.main import cli

CANAL: Final = -1009876543210


async def yabot(server: FakeTelegramServer, tmp_path: Path, *args: str) -> Result:
    """Run ``yabot ARGS`` in-process; in a thread, so this loop keeps serving the fake Bot API meanwhile."""
    env = {
        "YABOT_BOT_TOKEN": server.token,
        "YABOT_TELEGRAM_API_URL": server.base_url,
        "YABOT_STORAGE": "sqlite",
        "YABOT_DATA_DIR": str(tmp_path),
    }
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)


async def test_post_now_publishes_with_the_reaction_buttons(
    server: FakeTelegramServer, tmp_path: Path
) -> None:
    """The text goes to the channel with one button per shipped reaction; the operator reads the id."""
    server.introduce(
        {"update_id": 0, "channel_post": {"chat": {"id": CANAL, "type": "channel", "title": "D"}}}
    )
    done = await yabot(server, tmp_path, "post", "now", "--channel", str(CANAL), "Hoy, <b>novedades</b>")
    assert done.exit_code == 0, done.output
    (sent,) = server.calls("sendMessage")
    assert (sent.params["chat_id"], sent.params["text"]) == (CANAL, "Hoy, <b>novedades</b>")
    buttons = sent.params["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["❤️", "🔥", "😍", "💋"]
    assert [b["callback_data"] for b in buttons] == ["rx:0", "rx:1", "rx:2", "rx:3"]
    assert f"Publicado en el canal {CANAL}" in done.output


async def test_post_now_to_a_chat_the_bot_is_not_in_is_refused_in_spanish(
    server: FakeTelegramServer, tmp_path: Path
) -> None:
    """Telegram's refusal comes back as one Spanish line and exit code 1."""
    done = await yabot(server, tmp_path, "post", "now", "--channel", "-1001", "Hola")
    assert done.exit_code == 1
    assert "Telegram no acepta la publicación en el chat -1001" in done.output
