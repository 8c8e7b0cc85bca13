"""The outbid notice: Lucien's message with a button to bid again, within the process's outgoing limits."""

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

from yabot_adapters.telegram.keyboards.auctions import bid_again_keyboard
from yabot_adapters.telegram.messenger import OutgoingLimiter
from yabot_core.auctions import OutbidNotifier
from yabot_core.kernel import Phrasebook, UnavailableError, UserId

log = logging.getLogger(__name__)

OUTBID: str = "auctions-outbid"


class TelegramOutbidNotifier(OutbidNotifier):
    """Sends the outbid notice through the bot, one limiter for the whole process.

    A fan who blocked the bot (or never started it) is skipped; anything else Telegram refuses for now is
    ``UnavailableError``, which the bus retries.
    """

    def __init__(self, bot: Bot, limiter: OutgoingLimiter, texts: Phrasebook) -> None:
        self._bot = bot
        self._limiter = limiter
        self._texts = texts

    async def outbid(self, user_id: UserId, *, auction_id: str, item: str, amount: int, minimum: int) -> None:
        text = self._texts.render(OUTBID, objeto=item, cantidad=amount, minimo=minimum)
        await self._limiter.acquire(user_id)
        try:
            await self._bot.send_message(
                user_id, text, reply_markup=bid_again_keyboard(self._texts, auction_id)
            )
        except TelegramForbiddenError:
            log.info("user %s blocked the bot; outbid notice not sent", user_id)
        except TelegramBadRequest as exc:
            if "chat not found" not in exc.message.lower():
                raise UnavailableError("Telegram rechazó el aviso de puja superada.") from exc
            log.info("user %s never started the bot; outbid notice not sent", user_id)
        except TelegramRetryAfter as exc:
            self._limiter.pause(exc.retry_after)
            raise UnavailableError("Telegram pide esperar antes de enviar más mensajes.") from exc
        except TelegramAPIError as exc:
            raise UnavailableError("Telegram no responde en este momento.") from exc
