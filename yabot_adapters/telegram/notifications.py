"""Bus handlers that tell users, through Telegram, about things that happened to them."""

import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from yabot_adapters.telegram import texts
from yabot_core.gamification import BesitosAwarded, LedgerReason
from yabot_core.kernel import EventProcessingFailed
from yabot_core.users import UserDirectory

log = logging.getLogger(__name__)


class BesitosNotifier:
    """Announces Diana's gifts of besitos (operator grants) in the user's private chat.

    Subscribe it with ``bus.subscribe(BesitosAwarded, notifier.on_besitos_awarded,
    name="telegram.notify_besitos_awarded")``. Delivery is at least once, so after a crash a user may
    rarely hear the same news twice; Telegram offers no way to make a message idempotent.
    """

    def __init__(self, bot: Bot, users: UserDirectory) -> None:
        self._bot = bot
        self._users = users

    async def on_besitos_awarded(self, event: BesitosAwarded) -> None:
        """Tell the user about an operator grant; other credits (welcome gift, rewards) stay silent.

        A user who blocked the bot (Telegram's 403) cannot be told: that is logged, and the user is marked
        unreachable. One who never started it cannot be told either: logged and accepted. Any other failure
        (network, 429 flood control) propagates so the bus retries it.
        """
        if event.reason is not LedgerReason.ADMIN_GRANT:
            return
        text = texts.grant_received(event.amount, event.note, event.balance_after)
        try:
            await self._bot.send_message(event.user_id, text)
        except TelegramForbiddenError as exc:
            log.info("user %s cannot hear of their %s besitos: %s", event.user_id, event.amount, exc.message)
            await self._users.mark_unreachable(event.user_id)
        except TelegramBadRequest as exc:
            if "chat not found" not in exc.message.lower():
                raise
            log.info("user %s never started the bot; grant not announced", event.user_id)


class AdminAlerts:
    """Tells the creator and her admins in private, at once, when a handler gave up on an event.

    Subscribe it to ``EventProcessingFailed``. An admin who cannot be reached (never started the bot, or
    blocked it) is logged and skipped; other failures propagate so the bus retries (admins reached before
    the failure may then hear the news twice). A failure of this very handler is dead-lettered without a new
    alert, so alerts never loop.
    """

    def __init__(self, bot: Bot, admin_ids: Sequence[int]) -> None:
        self._bot = bot
        self._admin_ids = tuple(admin_ids)

    async def on_event_processing_failed(self, event: EventProcessingFailed) -> None:
        """Send the alert, with the replay command, to every admin."""
        text = texts.handler_gave_up(
            event.handler, event.failed_event_type, event.attempts, event.error, event.dead_letter_id
        )
        for admin_id in self._admin_ids:
            try:
                await self._bot.send_message(admin_id, text)
            except TelegramForbiddenError:
                log.warning("admin %s blocked the bot and missed an alert", admin_id)
            except TelegramBadRequest as exc:
                if "chat not found" not in exc.message.lower():
                    raise
                log.warning("admin %s never started the bot and missed an alert", admin_id)
