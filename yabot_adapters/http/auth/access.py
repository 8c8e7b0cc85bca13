"""Who may call each route: declared on the route, checked by one guard, documented in OpenAPI.

Every route under ``/api/v1`` declares its :class:`Access` with ``@protected(...)``; ``create_app`` refuses
to build an app with an API route that does not, so a module's new route is born protected (and a
forgotten declaration fails at start-up, not in production).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

from yabot_adapters.http.auth.openapi import AUTH_ERROR_RESPONSES, INIT_DATA_SCHEME, KEY_SCHEME
from yabot_adapters.http.auth.principals import Fan, KeyHolder, Principal
from yabot_core.apikeys import ADMIN, USERS_READ
from yabot_core.kernel import ForbiddenError, YabotError

ACCESS_OPT: Final = "yabot.access"
"""The key of a route's ``opt`` that holds its :class:`Access`."""

PRINCIPAL_KEY: Final = "user"
"""Where the authenticated caller is kept in the ASGI scope (Litestar's ``request.user``)."""

FAILURE_KEY: Final = "yabot.auth_failure"
"""Where the reason a caller was not authenticated is kept in the scope's state, for the guard to raise."""


@dataclass(frozen=True, slots=True)
class Access:
    """What a route asks of its caller.

    A key holder needs ``scope``. A fan is let in only if ``fan_param`` names a path parameter and its value
    is their own Telegram id (``/users/{user_id}/…``), or on a route for every fan (``any_fan``: content a
    Mini App shows, which the route itself may narrow, say to VIPs); otherwise the route is for keys only.
    """

    scope: str
    fan_param: str | None = None
    any_fan: bool = False

    def allows(self, principal: Principal, path_params: dict[str, Any]) -> bool:
        """Whether ``principal`` may call the route with these (raw) path parameters."""
        if isinstance(principal, KeyHolder):
            return principal.key.allows(self.scope)
        if self.any_fan:
            return True
        if self.fan_param is None:
            return False
        return str(path_params.get(self.fan_param)) == str(principal.user_id)

    def why_not(self, principal: Principal) -> ForbiddenError:
        """The 403 for ``principal``, saying what would have been needed."""
        if isinstance(principal, Fan):
            return ForbiddenError(
                "Solo puede consultar sus propios datos.", detail={"user_id": principal.user_id}
            )
        return ForbiddenError(
            f"La clave «{principal.key.name}» no tiene el alcance «{self.scope}».",
            detail={"required_scope": self.scope, "key_id": principal.key.key_id},
        )

    def security(self) -> list[dict[str, list[str]]]:
        """The route's OpenAPI security requirements: any one of them is enough."""
        requirements = [{KEY_SCHEME: [self.scope]}]
        if self.fan_param is not None or self.any_fan:
            requirements.append({INIT_DATA_SCHEME: []})
        return requirements


USER_DATA: Final = Access(scope=USERS_READ, fan_param="user_id")
"""A fan's own data at ``/users/{user_id}/…``: that fan, or a key with ``users:read``."""

ADMIN_ONLY: Final = Access(scope=ADMIN)
"""Administration: keys with ``admin`` only."""

H = TypeVar("H", bound=HTTPRouteHandler)


def protected(access: Access) -> Callable[[H], H]:
    """Declare who may call a route (put it above ``@get``/``@post``), and document it in OpenAPI."""

    def declare(handler: H) -> H:
        handler.opt[ACCESS_OPT] = access
        handler.security = access.security()
        handler.responses = {**AUTH_ERROR_RESPONSES, **(handler.responses or {})}
        return handler

    return declare


def access_of(handler: BaseRouteHandler) -> Access | None:
    """The access a route declared, or ``None`` (probes and the OpenAPI document are open)."""
    access = handler.opt.get(ACCESS_OPT)
    return access if isinstance(access, Access) else None


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The API router's guard: 401 for a caller not authenticated, 403 for one the route does not allow.

    Raises:
        NotAuthenticatedError: the reason authentication failed (or ``UnavailableError``: storage is down).
        ForbiddenError: the caller is known but the route is not theirs.
    """
    access = access_of(handler)
    if access is None:
        return
    failure = connection.scope["state"].get(FAILURE_KEY)
    if isinstance(failure, YabotError):
        raise failure
    principal = connection.scope.get(PRINCIPAL_KEY)
    if not isinstance(principal, Fan | KeyHolder):  # pragma: no cover  (the middleware always sets one)
        raise ForbiddenError
    if not access.allows(principal, connection.path_params):
        raise access.why_not(principal)
