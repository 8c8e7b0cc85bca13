"""``POST /telegram/webhook``: where Telegram pushes updates when the bot runs in webhook mode.

Open (no API credentials: Telegram has none), but Telegram sends back the secret given to ``setWebhook`` in
``X-Telegram-Bot-Api-Secret-Token``; a request without it, or with another, is refused before its body is
read. An accepted update is stored and answered at once; handling it happens in the background.
"""

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from litestar import Request, post
from litestar.handlers import HTTPRouteHandler

from yabot_core.kernel import MAX_UPDATE_ID, InvalidInputError, NotAuthenticatedError

WEBHOOK_PATH: Final = "/telegram/webhook"
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name, not a secret)


class UpdateReceiver(Protocol):
    """Takes a raw Bot API update in, durably, before it is answered."""

    async def accept(self, update: Mapping[str, Any]) -> bool:
        """Store ``update`` (its ``update_id`` checked to be an integer) unless stored; return whether new."""
        ...


@dataclass(frozen=True, slots=True)
class TelegramWebhook:
    """What the webhook route needs: the secret Telegram must present, and where updates go."""

    secret: str
    receiver: UpdateReceiver


class WebhookSecretError(NotAuthenticatedError):
    """The secret-token header is missing or is not ``YABOT_WEBHOOK_SECRET``."""

    code = "webhook_secreto_invalido"
    default_message = (
        "Falta la cabecera X-Telegram-Bot-Api-Secret-Token o no coincide con el secreto del webhook."
    )


class InvalidUpdateError(InvalidInputError):
    """The body is not a Bot API update: not a JSON object, or no integer ``update_id``."""

    code = "actualizacion_invalida"
    default_message = "El cuerpo no es una actualización de Telegram: debe ser un objeto JSON con update_id."


def webhook_route(webhook: TelegramWebhook) -> HTTPRouteHandler:
    """The route handler of ``POST /telegram/webhook`` for ``webhook``."""
    expected = webhook.secret.encode()

    @post(WEBHOOK_PATH, status_code=200, include_in_schema=False)
    async def telegram_webhook(request: Request[Any, Any, Any]) -> dict[str, bool]:
        """Check the secret, store the update, answer; a repeat is answered the same and stored no more."""
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, expected):  # constant time: no guessing it a byte at a time
            raise WebhookSecretError
        update = _update(await request.body())
        new = await webhook.receiver.accept(update)
        return {"ok": True, "duplicate": not new}

    return telegram_webhook


def _update(body: bytes) -> dict[str, Any]:
    try:
        update = json.loads(body)
    except ValueError as exc:
        raise InvalidUpdateError from exc
    if not isinstance(update, dict):
        raise InvalidUpdateError
    update_id = update.get("update_id")
    if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
        raise InvalidUpdateError
    return update
