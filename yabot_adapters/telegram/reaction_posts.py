"""Posts with reaction buttons: publishing one, and refreshing its buttons' counts without flooding.

Telegram lets a bot edit about 20 messages a minute in one group or channel. A popular post gets far more
presses than that, so the counts are not edited on every press: a press marks the post stale, and one
worker per chat edits its stale posts one at a time, at least ``interval`` seconds apart (3 s: 20 a minute),
each edit showing the counts of that moment. A burst of presses thus costs one edit per post per interval,
and the last press is always shown. The edits go through the process's outgoing limiter too.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from typing import Final

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from yabot_adapters.telegram.keyboards.reactions import reaction_keyboard
from yabot_adapters.telegram.messenger import OutgoingLimiter
from yabot_core.kernel import InvalidInputError, UnavailableError, YabotError
from yabot_core.reactions import PostPublisher

log = logging.getLogger(__name__)

EDIT_INTERVAL: Final = 3.0
"""Seconds between two edits of reaction counts in one chat (Telegram allows about 20 a minute)."""

Tally = Callable[[int, int], Awaitable[Mapping[str, int]]]


class TelegramPostPublisher(PostPublisher):
    """Sends a post with its reaction buttons through the Bot API (and the process's outgoing limiter)."""

    def __init__(self, bot: Bot, limiter: OutgoingLimiter | None = None) -> None:
        self._bot = bot
        self._limiter = limiter

    async def publish(
        self, chat_id: int, text: str, buttons: Sequence[str], *, protect_content: bool = False
    ) -> int:
        if self._limiter is not None:
            await self._limiter.acquire(chat_id)
        try:
            sent = await self._bot.send_message(
                chat_id, text, reply_markup=reaction_keyboard(buttons), protect_content=protect_content
            )
        except TelegramForbiddenError as exc:
            raise InvalidInputError(
                f"El bot no puede publicar en el chat {chat_id}: hágalo administrador con permiso para"
                " publicar.",
                detail={"chat_id": chat_id},
            ) from exc
        except TelegramBadRequest as exc:
            raise InvalidInputError(
                f"Telegram no acepta la publicación en el chat {chat_id}: {exc.message}",
                detail={"chat_id": chat_id},
            ) from exc
        except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as exc:
            raise UnavailableError(
                "Telegram no responde en este momento; pruebe de nuevo en un rato."
            ) from exc
        return sent.message_id


class ReactionButtonRefresher:
    """Keeps the counts on posts' reaction buttons current, at most one edit per ``interval`` per chat."""

    def __init__(
        self,
        bot: Bot,
        tally: Tally,
        buttons: Sequence[str],
        *,
        interval: float = EDIT_INTERVAL,
        limiter: OutgoingLimiter | None = None,
    ) -> None:
        self._bot = bot
        self._tally = tally
        self._buttons = tuple(buttons)
        self._interval = interval
        self._limiter = limiter
        self._stale: dict[int, dict[int, None]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._last_edit: dict[int, float] = {}
        self.edits = 0
        """Edits sent so far (operators and tests read it)."""

    def touch(self, chat_id: int, message_id: int) -> None:
        """The post's counts changed: edit its buttons soon (once, however many presses come meanwhile)."""
        self._stale.setdefault(chat_id, {})[message_id] = None
        if chat_id not in self._workers:
            self._workers[chat_id] = asyncio.create_task(self._work(chat_id), name=f"reactions-{chat_id}")

    async def idle(self) -> None:
        """Wait until every stale post has been edited."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def close(self) -> None:
        """Stop editing (posts still stale keep their older counts)."""
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with suppress(asyncio.CancelledError):
                await worker
        self._workers.clear()
        self._stale.clear()

    async def _work(self, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            stale = self._stale[chat_id]
            while stale:
                wait = self._last_edit.get(chat_id, float("-inf")) + self._interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                message_id = next(iter(stale))
                del stale[message_id]
                await self._edit(chat_id, message_id)
                self._last_edit[chat_id] = loop.time()
        finally:
            self._workers.pop(chat_id, None)
            if not self._stale.get(chat_id):
                self._stale.pop(chat_id, None)

    async def _edit(self, chat_id: int, message_id: int) -> None:
        try:
            counts = await self._tally(chat_id, message_id)
        except YabotError as exc:  # storage unreachable: these figures wait for the post's next press
            log.warning("could not count the reactions of %s/%s: %s", chat_id, message_id, exc)
            return
        try:
            if self._limiter is not None:
                await self._limiter.acquire(chat_id)
            await self._bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=reaction_keyboard(self._buttons, counts)
            )
            self.edits += 1
        except TelegramRetryAfter as exc:
            if self._limiter is not None:
                self._limiter.pause(exc.retry_after)
            self._stale.setdefault(chat_id, {})[message_id] = None  # edited again after the pause
        except (
            TelegramBadRequest,
            TelegramForbiddenError,
            TelegramServerError,
            TelegramNetworkError,
            UnavailableError,  # Telegram asked every sender to pause for long
        ) as exc:
            # "message is not modified", a deleted post, the bot no longer admin: the press was counted
            # anyway; only the buttons' figures lag behind.
            log.warning("could not refresh the reaction counts of %s/%s: %s", chat_id, message_id, exc)
