"""Telegram Stars refunds through the Bot API: the ``StarRefunds`` port over aiogram's Bot."""

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from yabot_core.kernel import UnavailableError, UserId
from yabot_core.subscriptions import StarRefundRefusedError, StarRefunds

ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


class TelegramStarRefunds(StarRefunds):
    """``refundStarPayment``; a charge Telegram says it refunded already counts as refunded."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def refund_stars(self, user_id: UserId, charge_id: str) -> None:
        try:
            await self._bot.refund_star_payment(user_id=user_id, telegram_payment_charge_id=charge_id)
        except TelegramBadRequest as exc:
            if ALREADY_REFUNDED in exc.message:
                return
            raise StarRefundRefusedError(charge_id, exc.message) from exc
        except (TelegramNetworkError, TelegramRetryAfter, TelegramServerError) as exc:
            raise UnavailableError("Telegram no responde; no se ha reembolsado nada.") from exc
