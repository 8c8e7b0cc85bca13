"""Telegram Stars as the fake Bot API server imitates them: invoices, pre-checkout answers, payments, refunds.

The checks are Telegram's own for Stars: currency ``XTR``, an empty provider token, exactly one price, a
payload of 1 to 128 bytes, a title of 1 to 32 characters and a description of 1 to 255; a pre-checkout
refused needs an ``error_message``; a charge is refunded once, to the fan who paid it.
"""

import time
from dataclasses import dataclass, field
from typing import Any, Final

from yabot_adapters.telegram.fake_api import ApiError, bot_user

MAX_PAYLOAD_BYTES: Final = 128


@dataclass(slots=True)
class StarsLedger:
    """What the fake Telegram knows of Stars: each charge's payer, and the charges refunded."""

    payers: dict[str, int] = field(default_factory=dict)
    refunded: set[str] = field(default_factory=set)

    def check_invoice(self, params: dict[str, Any]) -> None:
        """Refuse a ``sendInvoice`` Telegram would refuse for Stars."""
        title, description = str(params.get("title", "")), str(params.get("description", ""))
        payload = str(params.get("payload", ""))
        if not 1 <= len(title) <= 32:  # noqa: PLR2004  (Telegram's limits)
            raise ApiError(400, "Bad Request: TITLE_INVALID")
        if not 1 <= len(description) <= 255:  # noqa: PLR2004
            raise ApiError(400, "Bad Request: DESCRIPTION_INVALID")
        if not 1 <= len(payload.encode()) <= MAX_PAYLOAD_BYTES:
            raise ApiError(400, "Bad Request: PAYLOAD_INVALID")
        if params.get("currency") != "XTR" or params.get("provider_token"):
            raise ApiError(400, "Bad Request: CURRENCY_INVALID")
        prices = params.get("prices")
        price = prices[0] if isinstance(prices, list) and len(prices) == 1 else None
        amount = price.get("amount") if isinstance(price, dict) else None
        if not isinstance(amount, int) or amount < 1:
            raise ApiError(400, "Bad Request: STARS_INVOICE_INVALID")

    def check_pre_checkout_answer(self, params: dict[str, Any]) -> None:
        """Refuse an ``answerPreCheckoutQuery`` without its id, or refusing without saying why."""
        if not params.get("pre_checkout_query_id"):
            raise ApiError(400, "Bad Request: QUERY_ID_INVALID")
        if params.get("ok") is not True and not params.get("error_message"):
            raise ApiError(400, "Bad Request: ERROR_MESSAGE_EMPTY")

    def refund(self, params: dict[str, Any]) -> None:
        """``refundStarPayment``: once per charge, to its payer."""
        charge = str(params.get("telegram_payment_charge_id", ""))
        if self.payers.get(charge) != params.get("user_id"):
            raise ApiError(400, "Bad Request: CHARGE_NOT_FOUND")
        if charge in self.refunded:
            raise ApiError(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
        self.refunded.add(charge)


def invoice_message(
    message_id: int, chat: dict[str, Any], params: dict[str, Any], me: dict[str, Any]
) -> dict[str, Any]:
    """The ``Message`` with an ``Invoice`` that ``sendInvoice`` returns."""
    prices = params.get("prices") or [{}]
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": me,
        "invoice": {
            "title": params.get("title"),
            "description": params.get("description"),
            "start_parameter": params.get("start_parameter", ""),
            "currency": params.get("currency"),
            "total_amount": prices[0].get("amount", 0),
        },
    }


def _payer(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "es"}


def pre_checkout_query(
    query_id: str, user_id: int, *, payload: str, total_amount: int, currency: str, first_name: str
) -> dict[str, Any]:
    """A ``PreCheckoutQuery``: the fan pressed Pay on an invoice."""
    return {
        "id": query_id,
        "from": _payer(user_id, first_name),
        "currency": currency,
        "total_amount": total_amount,
        "invoice_payload": payload,
    }


def payment_message(
    message_id: int,
    user_id: int,
    *,
    payload: str,
    total_amount: int,
    currency: str,
    charge_id: str,
    first_name: str,
) -> dict[str, Any]:
    """The service ``Message`` in the fan's private chat reporting a ``SuccessfulPayment``."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "from": _payer(user_id, first_name),
        "successful_payment": {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        },
    }


__all__ = ["StarsLedger", "bot_user", "invoice_message", "payment_message", "pre_checkout_query"]
