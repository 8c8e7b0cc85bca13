"""Long polling under a supervisor: the way a self-hosted YABOT receives updates without a public URL."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from tenacity import AsyncRetrying, retry_if_not_exception_type, wait_exponential

from yabot_adapters.telegram.bot import prepare_bot
from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.middlewares import track_updates
from yabot_adapters.telegram.updates import guard_updates
from yabot_core.kernel import Clock, UnavailableError

if TYPE_CHECKING:
    from datetime import datetime

log = logging.getLogger(__name__)

STALE_AFTER: Final = 90.0
"""Seconds without a successful ``getUpdates`` after which polling counts as stuck.

A healthy poll returns at least every ``polling_timeout`` (aiogram's 10 s) plus the network's time, and
aiogram retries a failed one within 5 s: 90 s of silence is no hiccup.
"""

UNAUTHORIZED: Final = (
    "Telegram rechazó el token del bot: revise YABOT_BOT_TOKEN. La API sigue funcionando sin el bot."
)
"""What the operator is told, and readiness says, when Telegram rejects the token."""


class TelegramPolling:
    """Runs aiogram's long polling in the background, keeps it alive, and says whether it is.

    A failure to start polling (the network down, Telegram unreachable) is retried with exponential backoff
    up to a minute apart; a token Telegram rejects is not retried: ``on_unauthorized`` gets a Spanish line
    for the operator and the rest of the process keeps serving. An update aiogram cannot read is skipped
    and logged (:class:`~yabot_adapters.telegram.updates.UpdatesGuard`), so it never stops the others.

    :meth:`check_ready` is a readiness check: it fails while polling is not running, or while no
    ``getUpdates`` has succeeded for ``stale_after`` seconds (aiogram itself retries failed polls for ever,
    logging each, so nothing else would notice).

    Stopping waits for the updates being handled: they were already confirmed to Telegram, so closing the
    storage or the bot's session under them would lose them half-done.
    """

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        clock: Clock,
        menu: Sequence[MenuEntry] = (),
        stale_after: float = STALE_AFTER,
    ) -> None:
        self._bot = bot
        self._menu = tuple(menu)
        self._dispatcher = dispatcher
        self._clock = clock
        self._stale_after = stale_after
        self._tracker = track_updates(dispatcher)
        self._guard = guard_updates(bot, clock)
        self._task: asyncio.Task[None] | None = None
        self._started_at: datetime | None = None
        self._refused = False

    async def start(self, *, on_unauthorized: Callable[[str], None] | None = None) -> None:
        """Make the optional start-up calls, then poll in the background.

        Args:
            on_unauthorized: told, in Spanish, if Telegram rejects the token (it is logged either way).
        """
        await prepare_bot(self._bot, self._menu)
        self._started_at = self._clock.now()
        self._refused = False
        self._task = asyncio.create_task(self._supervise(on_unauthorized), name="yabot-telegram-polling")

    async def stop(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109  (a bounded wait is the point)
        """Stop taking updates, then wait at most ``timeout`` seconds for those being handled to finish.

        Updates still running at the deadline are left to run, with a warning: the caller is shutting down.
        Calling it again waits for them again.
        """
        self._started_at = None
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

    async def check_ready(self) -> None:
        """Return if polling runs and a ``getUpdates`` succeeded lately; raise ``UnavailableError`` if not.

        Give it to ``/readyz`` as a ``ReadinessCheck``. Its messages are Spanish and name no driver error.
        """
        if self._refused:
            raise UnavailableError(UNAUTHORIZED, detail={"telegram": "token_rechazado"})
        if self._started_at is None:
            raise UnavailableError(
                "El bot de Telegram no está recibiendo mensajes: no se ha puesto en marcha.",
                detail={"telegram": "detenido"},
            )
        last_success = self._guard.last_success_at
        since = self._started_at if last_success is None else max(last_success, self._started_at)
        silent = (self._clock.now() - since).total_seconds()
        if silent > self._stale_after:
            failing = "; la última consulta a Telegram falló" if self._guard.last_error is not None else ""
            raise UnavailableError(
                f"El bot de Telegram no consigue recibir mensajes desde hace {silent:.0f} s{failing}.",
                detail={"telegram": "sin_actualizaciones", "seconds": round(silent)},
            )

    async def _supervise(self, on_unauthorized: Callable[[str], None] | None) -> None:
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
            self._refused = True
            log.error("Telegram rejected the bot token; the bot stays off")  # noqa: TRY400  (no traceback: it says it all)
            if on_unauthorized is not None:
                on_unauthorized(UNAUTHORIZED)
