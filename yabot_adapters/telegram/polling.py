"""Long polling under a supervisor: the way a self-hosted YABOT receives updates without a public URL."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from tenacity import AsyncRetrying, retry_if_not_exception_type, wait_exponential

from yabot_adapters.telegram.bot import prepare_bot
from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.middlewares import track_updates

log = logging.getLogger(__name__)


class TelegramPolling:
    """Runs aiogram's long polling in the background and keeps it alive.

    A failure to start polling (the network down, Telegram unreachable) is retried with exponential backoff
    up to a minute apart; a token Telegram rejects is not retried: ``on_unauthorized`` gets a Spanish line
    for the operator and the rest of the process keeps serving.

    Stopping waits for the updates being handled: they were already confirmed to Telegram, so closing the
    storage or the bot's session under them would lose them half-done.
    """

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        menu: Sequence[MenuEntry] = (),
        on_unauthorized: Callable[[str], None],
    ) -> None:
        self._bot = bot
        self._menu = tuple(menu)
        self._dispatcher = dispatcher
        self._on_unauthorized = on_unauthorized
        self._tracker = track_updates(dispatcher)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Make the optional start-up calls, then poll in the background."""
        await prepare_bot(self._bot, self._menu)
        self._task = asyncio.create_task(self._supervise(), name="yabot-telegram-polling")

    async def stop(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109  (a bounded wait is the point)
        """Stop taking updates, then wait at most ``timeout`` seconds for those being handled to finish.

        Updates still running at the deadline are left to run, with a warning: the caller is shutting down.
        Calling it again waits for them again.
        """
        if self._task is not None:
            with contextlib.suppress(RuntimeError):  # polling had not started (still retrying, say)
                await self._dispatcher.stop_polling()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if not await self._tracker.wait_idle(timeout):
            log.warning(
                "%d Telegram update(s) still being handled after waiting %.1f s; shutting down anyway",
                self._tracker.in_flight,
                timeout,
            )

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
                        # The update types the registered routers handle, and no others.
                        allowed_updates=self._dispatcher.resolve_used_update_types(),
                        handle_signals=False,
                        close_bot_session=False,
                    )
        except TelegramUnauthorizedError:
            self._on_unauthorized(
                "Telegram rechazó el token del bot: revisa YABOT_BOT_TOKEN. "
                "La API sigue funcionando sin el bot."
            )
