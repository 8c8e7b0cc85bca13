"""HEAD on the HTTP API: every GET route answers it with the GET's status and headers and no body."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import besitos_app
from yabot_adapters.http.app import METRICS_PATH
from yabot_adapters.http.auth import Authenticator
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory, UserProfile
from yabot_core.wallet import WalletService

ANA = UserId(11)
PATH_VALUES = {"user_id": str(ANA), "path": "openapi.yaml"}
"""What each path parameter of a GET route is given, so every route answers something real."""
COMPARED_HEADERS = ("content-type", "content-length", "allow", "retry-after")


@pytest.fixture(name="app")
async def app_fixture(wallet: WalletService, users: UserDirectory, authenticator: Authenticator) -> Litestar:
    await users.register(UserProfile(user_id=ANA, first_name="Ana"))
    return besitos_app(wallet, users, authenticator, rate_limit_per_minute=None)


@pytest.fixture(name="client")
async def client_fixture(app: Litestar, reader: str) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = reader
        yield client


def get_paths(app: Litestar) -> list[str]:
    """Every GET route of the app, its path parameters filled in."""
    return sorted(
        route.path_format.format(**PATH_VALUES)
        for route in app.routes
        if isinstance(route, HTTPRoute) and "GET" in route.methods
    )


async def test_every_get_route_answers_head_like_get(app: Litestar, client: AsyncTestClient) -> None:
    """HEAD gives each GET route's status and headers (its length included), never a 405."""
    paths = get_paths(app)
    assert {"/healthz", "/readyz", f"/api/v1/users/{ANA}/besitos", "/api/v1/schema"} <= set(paths)

    for path in paths:
        got = await client.get(path)
        head = await client.head(path)

        assert (path, head.status_code) == (path, got.status_code)
        # /metrics is live: the GET itself (and any request between) moves its series, so its length too.
        compared = COMPARED_HEADERS if path != METRICS_PATH else ("content-type",)
        assert [head.headers.get(name) for name in compared] == [
            got.headers.get(name) for name in compared
        ], path


@pytest.mark.parametrize("path", ["/healthz", f"/api/v1/users/{ANA}/besitos", "/api/v1/nada"])
async def test_head_sends_no_body(app: Litestar, path: str) -> None:
    """The app itself drops the body of a HEAD answer (errors too), rather than trusting the server to."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "HEAD",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]

    start, *bodies = sent
    assert start["type"] == "http.response.start"
    headers = dict(start["headers"])
    assert int(headers[b"content-length"]) > 0
    assert bodies
    assert all(message == {**message, "type": "http.response.body", "body": b""} for message in bodies)
    assert scope["method"] == "HEAD"
