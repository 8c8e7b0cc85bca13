"""getUpdates that survives an update aiogram cannot read, and remembers how the last poll went.

aiogram reads a ``getUpdates`` answer as one ``list[Update]``: a single update it cannot parse (a message
without ``chat``, a ``poll_answer`` missing a field; Telegram does send such things) fails the whole batch,
polling never confirms it, and the bot answers nobody until Telegram forgets the update a day later.
"""

import logging
from typing import TYPE_CHECKING, Any, cast

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from pydantic import ValidationError

from yabot_adapters.telegram.middlewares import move_last_to_front
from yabot_core.kernel import Clock

if TYPE_CHECKING:
    from datetime import datetime

log = logging.getLogger(__name__)


class UpdatesGuard(BaseRequestMiddleware):
    """A request middleware on the bot's session: reads a batch update by update, and watches the polls.

    When aiogram cannot decode a ``getUpdates`` answer, each update is read on its own: the readable ones
    go on to the dispatcher, the others are logged (their id and what is wrong, never their content) and
    skipped. aiogram confirms updates by asking for the id after the last one it handled, so an unreadable
    update at the end of a batch would come back for ever: the next ``getUpdates`` of the same poller is
    sent with an offset past it. An answer that is not a batch at all (an HTML error page) stays an error,
    which aiogram logs and retries with backoff.

    Install it with :func:`guard_updates`. It notes when a ``getUpdates`` last succeeded and the error of the
    last one that failed, so readiness can tell a polling loop that is stuck.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._step_over: tuple[GetUpdates, int] | None = None
        self.last_success_at: datetime | None = None
        """When a ``getUpdates`` last returned (with updates or without)."""
        self.last_error: Exception | None = None
        """Why the latest ``getUpdates`` failed; ``None`` once one succeeds again."""
        self.skipped = 0
        """How many unreadable updates were skipped."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        self._confirm_skipped(method)
        try:
            try:
                result: Any = await make_request(bot, cast("TelegramMethod[TelegramType]", method))
            except ClientDecodeError as exc:
                result = self._readable_part(bot, method, exc)
        except Exception as exc:
            self.last_error = exc
            raise
        self.last_success_at = self._clock.now()
        self.last_error = None
        return cast("Response[TelegramType]", result)  # aiogram passes the result on as it came

    def _confirm_skipped(self, method: GetUpdates) -> None:
        """Ask past the unreadable updates that ended this poller's previous batch.

        aiogram sends the same ``GetUpdates`` again once it has handed out every update of the batch; a
        new one (polling restarted) gets the batch again, so nothing is confirmed unhandled.
        """
        if self._step_over is None or self._step_over[0] is not method:
            return
        offset = self._step_over[1]
        self._step_over = None
        if method.offset is None or method.offset < offset:
            method.offset = offset

    def _readable_part(self, bot: Bot, method: GetUpdates, error: ClientDecodeError) -> list[Update]:
        """The updates of a batch aiogram could not read as a whole that it can read one by one.

        Raises:
            ClientDecodeError: ``error`` itself, when the answer is not a batch of updates or an unreadable
                update has no id to step past.
        """
        body = error.data
        batch = body.get("result") if isinstance(body, dict) and body.get("ok") is True else None
        if not isinstance(batch, list):
            raise error
        readable: list[Update] = []
        unreadable: list[int] = []
        for raw in batch:
            try:
                readable.append(Update.model_validate(raw, context={"bot": bot}))
            except ValidationError as exc:
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if not isinstance(update_id, int) or isinstance(update_id, bool):
                    raise error from exc
                unreadable.append(update_id)
                log.warning(
                    "skipping Telegram update %d: aiogram cannot read it (%s)", update_id, summary(exc)
                )
        if not unreadable:
            raise error
        self.skipped += len(unreadable)
        last_unreadable = max(unreadable)
        if not readable or last_unreadable > max(update.update_id for update in readable):
            self._step_over = (method, last_unreadable + 1)
        return readable


def guard_updates(bot: Bot, clock: Clock) -> UpdatesGuard:
    """The bot session's :class:`UpdatesGuard`, installed on first use as its outermost request middleware.

    Outermost, so whatever other middleware a caller adds sees the batch already sorted out. Later calls
    return the same guard (and keep its clock).
    """
    middlewares = bot.session.middleware
    for middleware in middlewares:
        if isinstance(middleware, UpdatesGuard):
            return middleware
    guard = UpdatesGuard(clock)
    middlewares.register(guard)
    move_last_to_front(middlewares)
    return guard


def summary(error: ValidationError) -> str:
    """Where the first problem is and what it is (``message.chat: Field required``), and how many more."""
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    more = error.error_count() - 1
    return f"{where}: {first['msg']}" + (f" and {more} more" if more else "")
