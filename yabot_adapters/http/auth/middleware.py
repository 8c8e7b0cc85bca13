"""Authenticates each request to a protected route before the rate limiter counts it.

The outcome is kept in the scope rather than raised here: the rate limiter then counts an authenticated
caller by their credential (a fan on three networks is one fan; ten services behind one address are ten),
and everyone else, bad credentials included, by address. The API router's guard (``access.authorize``)
turns a kept failure into the 401 once the request is counted.
"""

from typing import Any, Final

from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.middleware.rate_limit import get_remote_address
from litestar.types import ASGIApp, Receive, Scope, Send

from yabot_adapters.http.auth.access import FAILURE_KEY, PRINCIPAL_KEY, access_of
from yabot_adapters.http.auth.authenticator import Authenticator
from yabot_adapters.http.auth.principals import Fan, KeyHolder
from yabot_core.kernel import YabotError

AUTHENTICATOR_KEY: Final = "yabot.authenticator"


class AuthenticationMiddleware(ASGIMiddleware):
    """Puts the caller of a protected route (or why there is none) into the request's scope."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        if handler is not None and access_of(handler) is not None:
            authorization = Headers.from_scope(scope).get("authorization")
            try:
                scope[PRINCIPAL_KEY] = await self._authenticator.authenticate(authorization)
            except YabotError as failure:  # a 401 (or a 503) for the guard to raise after counting
                scope["state"][FAILURE_KEY] = failure
        await next_app(scope, receive, send)


def rate_limit_identity(request: Request[Any, Any, Any]) -> str:
    """Count requests by credential when the caller proved one, else by client address."""
    principal = request.scope.get(PRINCIPAL_KEY)
    if isinstance(principal, Fan | KeyHolder):
        return principal.rate_key
    return f"ip:{get_remote_address(request)}"
