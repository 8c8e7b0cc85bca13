"""The errors router: whatever goes wrong while handling an update is logged and apologised for in private.

A group never reads Lucien's apologies; a pressed button gets its alert, which only the presser sees.
"""

import logging

from aiogram import Bot, Router
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.enums import ChatType
from aiogram.types import ErrorEvent

from yabot_adapters.telegram.middlewares import correlation_id_for
from yabot_adapters.telegram.texts import ALERT_LIMIT, plain_text
from yabot_core.kernel import Phrasebook, YabotError

log = logging.getLogger(__name__)


def setup() -> Router:
    """Return the router holding the one error handler of the bot (include it in the dispatcher)."""
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router


def reply_for(exception: BaseException, texts: Phrasebook) -> str:
    """The text Lucien answers an exception with: the error's own Spanish message, or an apology."""
    if isinstance(exception, YabotError):
        if exception.transient:
            return texts.render("bot-unavailable", motivo=exception.message)
        return texts.render("bot-refused", motivo=exception.message)
    return texts.render("bot-unexpected")


async def on_error(event: ErrorEvent, bot: Bot, texts: Phrasebook) -> None:
    """Log the failure with its correlation id and tell the user in private, never showing the details."""
    update = event.update
    exception = event.exception
    correlation_id = correlation_id_for(update)
    if isinstance(exception, YabotError):
        log.info(
            "update %s [%s] refused: %s (%s)",
            update.update_id,
            correlation_id,
            exception.code,
            exception.message,
        )
    else:
        log.error(
            "update %s [%s] failed: %s",
            update.update_id,
            correlation_id,
            type(exception).__name__,
            exc_info=exception,
        )
    text = reply_for(exception, texts)
    try:
        await _reply(event, bot, text)
    except Exception:
        # The user may have blocked the bot, or Telegram may be down: nothing more to do for this update.
        log.warning("could not apologise for update %s [%s]", update.update_id, correlation_id, exc_info=True)


async def _reply(event: ErrorEvent, bot: Bot, text: str) -> None:
    update = event.update
    if update.callback_query is not None:
        # The spinner on the pressed button stops only when the query is answered; the alert is seen only by
        # whoever pressed it, wherever the button is.
        await update.callback_query.answer(plain_text(text)[:ALERT_LIMIT], show_alert=True)
        return
    # Only in private: in a group the apology would sit under a member's message for all to read (and,
    # while the storage is down, under every message of every member).
    chat = UserContextMiddleware.resolve_event_context(update).chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    if update.message is not None:
        await update.message.answer(text)
        return
    await bot.send_message(chat.id, text)
