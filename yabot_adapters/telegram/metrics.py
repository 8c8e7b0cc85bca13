"""How long the bot takes over each update, by the router whose handler took it.

An outer update middleware times the whole update (middlewares, handler, the apology if it failed) and
hands the inner ones a slot; the inner middleware put on every router's observers, which runs only when one
of that router's handlers matched, writes its router's name there. The update is then observed once, in
``yabot_telegram_update_seconds{router, update_type}``; ``none`` when no handler took it.
"""

from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any, Final

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject, Update

from yabot_adapters.metrics import TELEGRAM_UPDATE

ROUTE_KEY: Final = "metrics_route"
"""Handler data key of the slot the matching router writes its name into."""

_Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
_NOT_ROUTED: Final = frozenset({"update", "error"})


class UpdateTiming(BaseMiddleware):
    """Outer update middleware: times each update and observes it under the router that handled it."""

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        slot = data[ROUTE_KEY] = ["none"]
        started = perf_counter()
        try:
            return await handler(event, data)
        finally:
            kind = event.event_type if isinstance(event, Update) else type(event).__name__
            TELEGRAM_UPDATE.labels(slot[0], kind).observe(perf_counter() - started)


class RouteMark(BaseMiddleware):
    """Inner middleware of one router: notes that this router's handler took the update."""

    def __init__(self, router: str) -> None:
        self._router = router

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        slot = data.get(ROUTE_KEY)
        if slot is not None:
            slot[0] = self._router
        return await handler(event, data)


def time_updates(dispatcher: Dispatcher) -> None:
    """Time every update ``dispatcher`` handles (register it before the middlewares it should cover)."""
    dispatcher.update.outer_middleware(UpdateTiming())


def mark_routers(dispatcher: Dispatcher) -> None:
    """Have each of ``dispatcher``'s routers name itself when its handler takes an update (once included)."""
    for router in dispatcher.chain_tail:
        if router is dispatcher:
            continue
        mark = RouteMark(router.name.rsplit(".", 1)[-1])
        for name, observer in router.observers.items():
            if name not in _NOT_ROUTED:
                observer.middleware(mark)
