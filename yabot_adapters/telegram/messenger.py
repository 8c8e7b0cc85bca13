"""Lucien's messages leave through here: within Telegram's limits, honouring its flood control.

Telegram allows a bot about 30 messages per second overall and about one per second in each chat; beyond
that it answers 429 with ``retry_after``. Every outgoing message of the process passes one limiter
(aiolimiter's leaky buckets: a global one and one per chat), and a 429 is waited out and tried again, so a
burst of notices slows down instead of failing. aiogram retries nothing by itself.
"""

import asyncio
import logging
from collections import OrderedDict
from typing import Final

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiolimiter import AsyncLimiter

from yabot_core.kernel import UnavailableError, UserId
from yabot_core.lucien import Messenger, RecipientUnreachableError

log = logging.getLogger(__name__)

GLOBAL_PER_SECOND: Final = 30.0
PER_CHAT_INTERVAL: Final = 1.0
MAX_RETRY_AFTER: Final = 60.0
"""The longest flood-control pause waited in place; a longer one fails the send (the bus retries later)."""
CHAT_LIMITERS: Final = 10_000
"""Per-chat buckets kept (least recently used go first): a chat idle that long has an empty bucket anyway."""


class OutgoingLimiter:
    """The process's outgoing budget: ``per_second`` overall, one message per ``chat_interval`` per chat."""

    def __init__(
        self, per_second: float = GLOBAL_PER_SECOND, chat_interval: float = PER_CHAT_INTERVAL
    ) -> None:
        self._global = AsyncLimiter(per_second, 1.0)
        self._chat_interval = chat_interval
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def chat(self, chat_id: int) -> AsyncLimiter:
        """The bucket of one chat."""
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(1, self._chat_interval)
            self._chats[chat_id] = limiter
            if len(self._chats) > CHAT_LIMITERS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    @property
    def overall(self) -> AsyncLimiter:
        """The bucket every message passes."""
        return self._global


class TelegramMessenger(Messenger):
    """Sends Telegram HTML to users' private chats through one :class:`OutgoingLimiter`."""

    def __init__(self, bot: Bot, limiter: OutgoingLimiter | None = None, *, attempts: int = 3) -> None:
        self._bot = bot
        self._limiter = limiter or OutgoingLimiter()
        self._attempts = attempts

    async def send(self, user_id: UserId, text: str) -> None:
        """Send ``text``; wait out flood control; say plainly when the user cannot be reached."""
        for attempt in range(1, self._attempts + 1):
            async with self._limiter.chat(user_id), self._limiter.overall:
                try:
                    await self._bot.send_message(user_id, text)
                except TelegramRetryAfter as exc:
                    if exc.retry_after > MAX_RETRY_AFTER or attempt == self._attempts:
                        msg = f"Telegram pide esperar {exc.retry_after} s antes de enviar más mensajes."
                        raise UnavailableError(msg) from exc
                    log.warning("flood control: waiting %s s before writing to %s", exc.retry_after, user_id)
                    retry_after = exc.retry_after
                except TelegramForbiddenError as exc:
                    raise RecipientUnreachableError(user_id, "ha bloqueado el bot") from exc
                except TelegramBadRequest as exc:
                    if "chat not found" in exc.message.lower():
                        raise RecipientUnreachableError(user_id, "nunca ha iniciado el bot") from exc
                    raise
                except (TelegramNetworkError, TelegramServerError) as exc:
                    raise UnavailableError("Telegram no responde en este momento.") from exc
                else:
                    return
            await asyncio.sleep(retry_after)
