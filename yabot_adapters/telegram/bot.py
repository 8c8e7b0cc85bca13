"""The aiogram Bot: which Bot API server it talks to, and the start-up calls that dress it."""

import logging
from typing import Final

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from yabot_adapters.telegram import texts

log = logging.getLogger(__name__)

DEFAULT_API_URL: Final = "https://api.telegram.org"

ALLOWED_UPDATES: Final[tuple[str, ...]] = (
    "message",
    "callback_query",
    "message_reaction",
    "poll_answer",
    "chat_join_request",
    "chat_member",
    "my_chat_member",
)
"""The update types YABOT asks Telegram for (DESIGN.md §5); pass ``list(ALLOWED_UPDATES)`` to polling."""

BOT_COMMANDS: Final[tuple[BotCommand, ...]] = (
    BotCommand(command="start", description=texts.START_DESCRIPTION),
    BotCommand(command="saldo", description=texts.BALANCE_DESCRIPTION),
)
"""The command menu users see in private chats with the bot."""

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


async def prepare_bot(bot: Bot) -> None:
    """Make the optional start-up calls (the Spanish command menu).

    None of them is needed to serve users, so any failure (Telegram refusing, the network down, a timeout,
    a proxy's HTML error page that aiogram cannot decode) is logged as a warning and the bot carries on.
    """
    try:
        await bot.set_my_commands(
            list(BOT_COMMANDS),
            scope=BotCommandScopeAllPrivateChats(),
            request_timeout=STARTUP_REQUEST_TIMEOUT,
        )
    except Exception as exc:  # noqa: BLE001  (optional: whatever went wrong, serving matters more)
        cause = " ".join(str(exc).split())[:_LOGGED_CAUSE]
        log.warning(
            "could not set the bot's command menu; carrying on without it: %s: %s", type(exc).__name__, cause
        )
