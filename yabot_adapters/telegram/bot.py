"""The aiogram Bot: which Bot API server it talks to, and the start-up calls that dress it."""

import logging
from collections.abc import Sequence
from typing import Final

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.texts import plain_text

log = logging.getLogger(__name__)

DEFAULT_API_URL: Final = "https://api.telegram.org"

STARTUP_REQUEST_TIMEOUT: Final = 10
"""Seconds a start-up call may take before we give up on it and carry on."""

_LOGGED_CAUSE: Final = 300
"""Characters of a failure's description worth a log line (an HTML error page runs much longer)."""


def create_bot(token: str, *, api_url: str = DEFAULT_API_URL) -> Bot:
    """Return a Bot that talks to the Bot API at ``api_url`` and writes HTML by default.

    ``api_url`` is the server's base (``https://api.telegram.org``, a local Bot API server, or a test
    server such as :class:`~yabot_adapters.telegram.testing.FakeTelegramServer`). With HTML as the default
    parse mode, every user-provided string in a text must be escaped (``texts`` does it).
    """
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


async def prepare_bot(bot: Bot, menu: Sequence[MenuEntry]) -> None:
    """Make the optional start-up calls (the Spanish command menu, from every module's commands).

    None of them is needed to serve users, so any failure (Telegram refusing, the network down, a timeout,
    a proxy's HTML error page that aiogram cannot decode) is logged as a warning and the bot carries on.
    """
    commands = [
        BotCommand(command=entry.command, description=plain_text(entry.description)) for entry in menu
    ]
    try:
        await bot.set_my_commands(
            commands,
            scope=BotCommandScopeAllPrivateChats(),
            request_timeout=STARTUP_REQUEST_TIMEOUT,
        )
    except Exception as exc:  # noqa: BLE001  (optional: whatever went wrong, serving matters more)
        cause = " ".join(str(exc).split())[:_LOGGED_CAUSE]
        log.warning(
            "could not set the bot's command menu; carrying on without it: %s: %s", type(exc).__name__, cause
        )
