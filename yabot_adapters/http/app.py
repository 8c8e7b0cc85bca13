"""Builds the Litestar application of YABOT's HTTP API from the services it serves."""

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Final, cast

from litestar import Litestar, MediaType, Router
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.routes import HTTPRoute
from litestar.stores.base import Store
from litestar.types import ControllerRouterHandler

from yabot_adapters.http.auth import (
    SECURITY_SCHEMES,
    AuthenticationMiddleware,
    Authenticator,
    access_of,
    authorize,
    rate_limit_identity,
)
from yabot_adapters.http.controllers import HealthController, ReadinessCheck
from yabot_adapters.http.correlation import CorrelationMiddleware, echo_correlation_id
from yabot_adapters.http.errors import EXCEPTION_HANDLERS
from yabot_adapters.http.parameters import require_plain_integers
from yabot_adapters.http.webhook import WEBHOOK_PATH, TelegramWebhook, webhook_route
from yabot_adapters.metrics import FAST_BUCKETS

if TYPE_CHECKING:
    from litestar.types import (
        HTTPScope,
        LifeSpanReceive,
        LifeSpanScope,
        LifeSpanSend,
        Message,
        Middleware,
        Receive,
        Scope,
        Send,
    )

API_PREFIX: Final = "/api/v1"
SCHEMA_PATH: Final = f"{API_PREFIX}/schema"
METRICS_PATH: Final = "/metrics"
PROBE_PATHS: Final = ("/healthz", "/readyz", METRICS_PATH)
"""Never rate limited: an orchestrator (or Prometheus) polling them must not lock itself or users out."""

RATE_LIMIT_STORE: Final = "rate_limit"
"""The name of the store the rate limiter counts in (Litestar's default name, said once here)."""
UNLIMITED_PATHS: Final = (*PROBE_PATHS, WEBHOOK_PATH)
"""Not rate limited: the probes, and the webhook (every user's update comes from Telegram's few addresses)."""


class MetricsController(PrometheusController):
    """``GET /metrics``: every series of the process in Prometheus's text format (docs/operations.md)."""

    path = METRICS_PATH
    include_in_schema = False


def _prometheus() -> DefineMiddleware:
    """Litestar's Prometheus middleware: one series per route template (``group_path``), never per URL.

    A path no route serves is not counted at all, so a scanner's random URLs make no new series.
    """
    return PrometheusConfig(
        app_name="yabot",
        prefix="yabot_http",
        group_path=True,
        exclude_unhandled_paths=True,
        buckets=list(FAST_BUCKETS),
        exclude=[f"^{METRICS_PATH}$"],
    ).middleware


class _Api(Litestar):
    """Litestar, answering HEAD on every GET route: the GET's status and headers, without its body.

    Litestar routes HEAD only to handlers declared for it and answers 405 otherwise, while HTTP says a GET
    resource answers HEAD too. Routing happens before any middleware, so the rewrite is done here, once
    for every route (the OpenAPI pages included): the request is handled as a GET, its body dropped.
    """

    async def __call__(
        self,
        scope: "Scope | LifeSpanScope",
        receive: "Receive | LifeSpanReceive",
        send: "Send | LifeSpanSend",
    ) -> None:
        if scope["type"] != ScopeType.HTTP or cast("HTTPScope", scope)["method"] != "HEAD":
            await super().__call__(scope, receive, send)
            return
        http_send = cast("Send", send)

        async def send_without_body(message: "Message") -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await http_send(message)

        # A copy: the server's own scope keeps saying HEAD (uvicorn's access log, its body handling).
        as_get = cast("HTTPScope", {**scope, "method": "GET"})
        await super().__call__(as_get, receive, send_without_body)


def create_app(
    *,
    authenticator: Authenticator,
    route_handlers: Sequence[ControllerRouterHandler] = (),
    readiness: Sequence[ReadinessCheck] = (),
    rate_limit_per_minute: int | None = 600,
    webhook: TelegramWebhook | None = None,
    rate_limit_store: Store | None = None,
    debug: bool = False,
) -> Litestar:
    """Return the HTTP API: every module's ``route_handlers`` under ``/api/v1``, and the health probes.

    Every API route must declare who may call it (``auth.protected``); ``authenticator`` proves who each
    request comes from. The probes, ``/metrics`` and the OpenAPI document are open.
    ``rate_limit_per_minute`` caps requests per caller, by credential once authenticated, else by address
    (``None`` disables the limit); the limiter keeps its counts in ``rate_limit_store`` (a Redis store, so
    N processes count as one), by default in the app's own memory store, where each process counts alone.
    ``webhook``
    adds ``POST /telegram/webhook`` (open, but it checks Telegram's secret-token header). ``debug``
    only affects Litestar's diagnostics: error bodies never carry internals.

    Raises:
        ValueError: ``rate_limit_per_minute`` is not positive, or an API route declares no access.
    """
    middleware: list[Middleware] = [
        _prometheus(),
        CorrelationMiddleware(),
        AuthenticationMiddleware(authenticator),
    ]
    if rate_limit_per_minute is not None:
        middleware.append(_rate_limit(rate_limit_per_minute))
    checks = tuple(readiness)
    api = Router(path=API_PREFIX, route_handlers=list(route_handlers), guards=[authorize])
    app = _Api(
        route_handlers=[
            api,
            HealthController,
            MetricsController,
            *([webhook_route(webhook)] if webhook else []),
        ],
        dependencies={"readiness_checks": Provide(lambda: checks, sync_to_thread=False)},
        middleware=middleware,
        stores={RATE_LIMIT_STORE: rate_limit_store} if rate_limit_store is not None else None,
        exception_handlers=EXCEPTION_HANDLERS,
        # Routes must not set their own ``before_request``: Litestar runs only the closest layer's hook.
        before_request=require_plain_integers,
        before_send=[echo_correlation_id],
        openapi_config=OpenAPIConfig(
            title="YABOT",
            version=_version(),
            description="API HTTP de YABOT: besitos, historia, mochila y administración del canal.",
            path=SCHEMA_PATH,
            render_plugins=_SCHEMA_RENDERERS,
            components=Components(security_schemes=dict(SECURITY_SCHEMES)),
        ),
        # Logging is the composition root's to configure; errors are logged through the stdlib logger.
        logging_config=None,
        debug=debug,
    )
    _require_declared_access(app)
    return app


def _require_declared_access(app: Litestar) -> None:
    """Refuse an API route that does not say who may call it: new routes are born protected."""
    undeclared = sorted(
        f"{method} {route.path}"
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and route.path.startswith(API_PREFIX)
        and not route.path.startswith(SCHEMA_PATH)
        for handler in route.route_handlers
        if access_of(handler) is None
        for method in handler.http_methods
        if method != "OPTIONS"  # Litestar's own answer to preflights: the allowed methods, no data
    )
    if undeclared:
        msg = f"API routes must declare their access with auth.protected(...): {', '.join(undeclared)}"
        raise ValueError(msg)


_SCHEMA_RENDERERS: Final = [
    # The first one is also the page at SCHEMA_PATH itself: plain JSON, which browsers show as it is.
    JsonRenderPlugin(path="/", media_type=MediaType.JSON),
    JsonRenderPlugin(),
    YamlRenderPlugin(),
]
"""The OpenAPI document as JSON (at ``/api/v1/schema`` and ``.../openapi.json``) and YAML; no HTML viewer.

Litestar's viewers (Scalar, Swagger UI, Redoc...) are HTML pages that load their script from a public CDN,
Scalar's at ``@latest``: offline they show a blank page, and online they run third-party code, unpinned, on
the API's own origin. A pinned copy would be megabytes of vendored JavaScript to keep up to date. The
document itself needs no network and any OpenAPI tool reads it (docs/http-api.md).
"""


def _rate_limit(per_minute: int) -> DefineMiddleware:
    if isinstance(per_minute, bool) or per_minute < 1:
        msg = f"rate_limit_per_minute must be a positive integer or None, not {per_minute!r}"
        raise ValueError(msg)
    exclude = [f"^{path}$" for path in UNLIMITED_PATHS]
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        exclude=exclude,
        identifier_for_request=rate_limit_identity,
        store=RATE_LIMIT_STORE,
    ).middleware


def _version() -> str:
    try:
        return version("yabot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
