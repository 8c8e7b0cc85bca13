"""Lucien's messages leave through here: within Telegram's limits, honouring its flood control.

Telegram allows a bot about 30 messages per second overall and about one per second in each chat; beyond
that it answers 429 with ``retry_after``. Every outgoing message of the process passes one
:class:`OutgoingLimiter` (aiolimiter's leaky bucket overall, and each chat's own turn), and a 429 pauses
every sender of the process for the time Telegram asks, so a burst of notices slows down instead of
failing. aiogram retries nothing by itself. A request that never reached Telegram (no connection) or that it
refused for now is "not sent"; one it never answered (a timeout) may have arrived, and is said so.
"""

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Final

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientConnectorError
from aiolimiter import AsyncLimiter
from cachetools import LRUCache

from yabot_core.kernel import UnavailableError, UserId
from yabot_core.lucien import DeliveryUncertainError, Messenger, RecipientUnreachableError

log = logging.getLogger(__name__)

GLOBAL_PER_SECOND: Final = 29.0
"""Just under Telegram's 30: messages spaced 1/30 s apart reach it bunched by the network now and then, and
a strict count of any one second then answers 429, which pauses every sender for a whole second (the expiry
sweep's benchmark against a fake server enforcing that count saw it at 30/s, and none at 29/s)."""
PER_CHAT_INTERVAL: Final = 1.0
MAX_RETRY_AFTER: Final = 15.0
"""The longest flood-control pause waited in place; a longer one fails the send (the bus retries later).

Below the bus's 30 s per-attempt timeout, so a wait in place is never cut short into a hurried retry.
"""
CHAT_LIMITERS: Final = 10_000
"""Chats whose last message is remembered (oldest forgotten first); one idle that long may go at once."""


class _Chat:
    """One chat's turn: a lock so its senders go one at a time, and when its last message left."""

    __slots__ = ("last_sent", "lock")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.last_sent = -math.inf


class OutgoingLimiter:
    """The process's outgoing budget: ``per_second`` overall, one message per ``chat_interval`` per chat.

    One per process (the container makes it; every sender shares it): two limiters would each grant the
    whole budget. The overall bucket (aiolimiter) holds a single message, so no one-second window ever
    sees more than ``per_second`` messages leave. A chat's interval counts from the moment its previous
    message left, not from when it queued: a sender first waits for its chat, then for the overall turn,
    so a long queue for the latter never squeezes two messages to one chat together. Times are the event
    loop's (aiolimiter's too), so a test can fake them through the loop.
    """

    def __init__(
        self,
        per_second: float = GLOBAL_PER_SECOND,
        chat_interval: float = PER_CHAT_INTERVAL,
        *,
        chats: int = CHAT_LIMITERS,
    ) -> None:
        self._overall = AsyncLimiter(1, 1 / per_second)
        self._chat_interval = chat_interval
        self._chats: LRUCache[int, _Chat] = LRUCache(maxsize=chats)
        self._resume_at = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every sender back ``seconds`` (Telegram's ``retry_after``: its flood control is the bot's)."""
        self._resume_at = max(self._resume_at, asyncio.get_running_loop().time() + seconds)

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when none)."""
        return max(0.0, self._resume_at - asyncio.get_running_loop().time())

    async def acquire(self, chat_id: int, *, max_wait: float = MAX_RETRY_AFTER) -> None:
        """Wait for the chat's turn, then the process's, and for any pause to end; then send at once.

        Raises:
            UnavailableError: Telegram asked every sender to pause longer than ``max_wait`` seconds; nothing
                is sent meanwhile, so the pause is not made longer by asking again.
        """
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
        loop = asyncio.get_running_loop()
        async with chat.lock:
            while True:
                await self._wait_out_pause(max_wait)
                if (wait := chat.last_sent + self._chat_interval - loop.time()) > 0:
                    await asyncio.sleep(wait)
                    continue
                await self._overall.acquire()
                if not self.paused_for():  # a pause that began while in the queue is waited out too
                    chat.last_sent = loop.time()
                    return

    async def _wait_out_pause(self, max_wait: float) -> None:
        while (pause := self.paused_for()) > 0:
            if pause > max_wait:
                raise UnavailableError(_slow_down(pause))
            await asyncio.sleep(pause)


class TelegramMessenger(Messenger):
    """Sends Telegram HTML to users' private chats through the process's :class:`OutgoingLimiter`."""

    def __init__(
        self, bot: Bot, limiter: OutgoingLimiter, *, attempts: int = 3, max_wait: float = MAX_RETRY_AFTER
    ) -> None:
        self._bot = bot
        self._limiter = limiter
        self._attempts = attempts
        self._max_wait = max_wait

    @property
    def limiter(self) -> OutgoingLimiter:
        """The outgoing budget this messenger spends (the process's one)."""
        return self._limiter

    async def send(
        self,
        user_id: UserId,
        text: str,
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,
        protect: bool = False,
    ) -> None:
        """Send ``text``; wait out flood control; say plainly when the user cannot be reached.

        ``protect`` sends it with ``protect_content`` (no forwarding, no saving): VIP content (the
        broadcasts' :class:`~yabot_core.broadcasts.Notifier` port).
        """
        for attempt in range(1, self._attempts + 1):
            await self._limiter.acquire(user_id, max_wait=self._max_wait)
            if on_turn is not None:
                turn, on_turn = on_turn, None  # once, however many attempts flood control costs
                await turn()
            try:
                await self._bot.send_message(user_id, text, protect_content=protect or None)
            except TelegramRetryAfter as exc:
                self._limiter.pause(exc.retry_after)
                if exc.retry_after > self._max_wait or attempt == self._attempts:
                    raise UnavailableError(_slow_down(exc.retry_after)) from exc
                log.warning("flood control: all senders wait %s s (writing to %s)", exc.retry_after, user_id)
            except TelegramForbiddenError as exc:
                raise RecipientUnreachableError(user_id, "ha bloqueado el bot") from exc
            except TelegramBadRequest as exc:
                if "chat not found" in exc.message.lower():
                    raise RecipientUnreachableError(user_id, "nunca ha iniciado el bot") from exc
                raise
            except TelegramServerError as exc:  # Telegram answered: it did not take the message
                raise UnavailableError("Telegram no responde en este momento.") from exc
            except TelegramNetworkError as exc:
                if isinstance(exc.__cause__, ClientConnectorError):  # never reached Telegram
                    raise UnavailableError("Telegram no responde en este momento.") from exc
                raise DeliveryUncertainError(user_id) from exc  # asked, never answered: it may have arrived
            else:
                return


def _slow_down(seconds: float) -> str:
    return f"Telegram pide esperar {seconds:g} s antes de enviar más mensajes."
