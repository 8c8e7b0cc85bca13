"""Bot API calls through a circuit breaker, counted by method and outcome.

Telegram failing (5xx answers, the network down) opens the breaker after a few calls in a row: for 30 s
every call fails at once with ``CircuitOpenError`` instead of waiting on its own timeout, so Lucien's
notices stay in the outbox (the bus defers them, spending no attempt) and nobody's update handler hangs on
a dead API. Polling (``getUpdates``) is neither refused nor counted: aiogram's loop backs off on its own and
must notice the moment Telegram is back.
"""

from typing import Final

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType

from yabot_adapters.metrics import TELEGRAM_REQUESTS, breaker_changed
from yabot_core.kernel import CircuitBreaker, CircuitOpenError

TELEGRAM_BREAKER: Final = "telegram"
"""The Telegram breaker's name (``yabot status``, metrics, alerts)."""


def telegram_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says Telegram is away (a 5xx, no connection), not that it refused a call."""
    return isinstance(exc, TelegramServerError | TelegramNetworkError)


class TelegramBreaker(BaseRequestMiddleware):
    """A request middleware on the bot's session: every call but polling goes through ``breaker``."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        if method.__api_method__ == GetUpdates.__api_method__:
            return await make_request(bot, method)
        before = self.breaker.status()
        try:
            response = await self.breaker.call(lambda: make_request(bot, method), counts=telegram_failure)
        except CircuitOpenError:
            TELEGRAM_REQUESTS.labels(name, "refused").inc()
            raise
        except Exception as exc:
            TELEGRAM_REQUESTS.labels(name, "failed" if telegram_failure(exc) else "error").inc()
            raise
        finally:
            breaker_changed(before, self.breaker.status())
        TELEGRAM_REQUESTS.labels(name, "ok").inc()
        return response


def guard_telegram(bot: Bot, breaker: CircuitBreaker) -> TelegramBreaker:
    """Install (once) a :class:`TelegramBreaker` on ``bot``'s session; return it."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, TelegramBreaker):
            return middleware
    guard = TelegramBreaker(breaker)
    bot.session.middleware.register(guard)
    return guard
