"""The correlation id of each HTTP request: taken from ``X-Correlation-ID`` or minted, scoped, echoed."""

import re
from typing import Final

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from yabot_adapters.system import UuidGenerator
from yabot_core.kernel import CorrelationId, correlation_scope

CORRELATION_HEADER: Final = "X-Correlation-ID"

# A caller's id is accepted only if it is short and made of characters safe in logs and headers; anything
# else is replaced rather than refused, so a bad header never costs the caller their request.
_ACCEPTED_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_STATE_KEY: Final = "yabot.correlation_id"
_ids: Final = UuidGenerator()


def correlation_id_of(scope: Scope) -> CorrelationId:
    """Return the request's correlation id, choosing it on first use and keeping it in the scope.

    Routing errors (an unknown path) never reach route middleware, so the error handlers and the header
    hook call this too; whoever asks first decides, and every later caller sees the same id.
    """
    state = scope["state"]
    known = state.get(_STATE_KEY)
    if isinstance(known, str):
        return CorrelationId(known)
    given = Headers.from_scope(scope).get(CORRELATION_HEADER)
    chosen = given if given is not None and _ACCEPTED_ID.fullmatch(given) else _ids.new_id()
    state[_STATE_KEY] = chosen
    return CorrelationId(chosen)


class CorrelationMiddleware(ASGIMiddleware):
    """Runs each HTTP request inside a correlation scope, so every event it causes carries its id."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        with correlation_scope(correlation_id_of(scope)):
            await next_app(scope, receive, send)


async def echo_correlation_id(message: Message, scope: Scope) -> None:
    """Add ``X-Correlation-ID`` to every HTTP response, errors included (a ``before_send`` hook)."""
    if message["type"] == "http.response.start":
        message.setdefault("headers", [])
        MutableScopeHeaders(message)[CORRELATION_HEADER] = correlation_id_of(scope)
