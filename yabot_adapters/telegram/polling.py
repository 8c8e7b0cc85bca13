"""Long polling under a supervisor: the way a self-hosted YABOT receives updates without a public URL."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from tenacity import AsyncRetrying, retry_if_not_exception_type, wait_exponential

from yabot_adapters.telegram.bot import ALLOWED_UPDATES, prepare_bot

log = logging.getLogger(__name__)


class TelegramPolling:
    """Runs aiogram's long polling in the background and keeps it alive.

    A failure to start polling (the network down, Telegram unreachable) is retried with exponential backoff
    up to a minute apart; a token Telegram rejects is not retried: ``on_unauthorized`` gets a Spanish line
    for the operator and the rest of the process keeps serving.
    """

    def __init__(self, bot: Bot, dispatcher: Dispatcher, *, on_unauthorized: Callable[[str], None]) -> None:
        self._bot = bot
        self._dispatcher = dispatcher
        self._on_unauthorized = on_unauthorized
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Make the optional start-up calls, then poll in the background."""
        await prepare_bot(self._bot)
        self._task = asyncio.create_task(self._supervise(), name="yabot-telegram-polling")

    async def stop(self) -> None:
        """Stop taking updates and wait for the polling task to end."""
        if self._task is None:
            return
        with contextlib.suppress(RuntimeError):  # polling had not started (still retrying, say)
            await self._dispatcher.stop_polling()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _supervise(self) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_not_exception_type(TelegramUnauthorizedError),
            wait=wait_exponential(multiplier=1, max=60),
            before_sleep=lambda state: log.warning(
                "Telegram polling stopped (%r); retrying",
                state.outcome.exception() if state.outcome else None,
            ),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._dispatcher.start_polling(
                        self._bot,
                        allowed_updates=list(ALLOWED_UPDATES),
                        handle_signals=False,
                        close_bot_session=False,
                    )
        except TelegramUnauthorizedError:
            self._on_unauthorized(
                "Telegram rechazó el token del bot: revisa YABOT_BOT_TOKEN. "
                "La API sigue funcionando sin el bot."
            )
