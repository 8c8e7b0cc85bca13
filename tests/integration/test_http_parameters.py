"""Whole-number parameters of any route, path or query, are plain ASCII digits or a Spanish 400."""

from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from litestar import Litestar, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import besitos_app
from yabot_adapters.http.auth import Authenticator
from yabot_core.users import UserDirectory
from yabot_core.wallet import WalletService


@get("/api/v1/test/numbers/{a:str}", sync_to_thread=False)
def numbers(
    a: FromPath[int],
    b: FromQuery[int | None] = None,
    c: Annotated[int, QueryParameter(name="ce")] = 0,
    flag: FromQuery[bool] = False,
    text: FromQuery[str] = "",
) -> dict[str, object]:
    return {"a": a, "b": b, "c": c, "flag": flag, "text": text}


@pytest.fixture(name="app")
def app_fixture(wallet: WalletService, users: UserDirectory, authenticator: Authenticator) -> Litestar:
    app = besitos_app(wallet, users, authenticator, rate_limit_per_minute=None)
    app.register(numbers)
    return app


@pytest.fixture(name="client")
async def client_fixture(app: Litestar, reader: str) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = reader
        yield client


async def test_plain_digits_pass(client: AsyncTestClient) -> None:
    """Digits reach the handler as numbers; booleans and texts that look like numbers are left alone."""
    response = await client.get(
        "/api/v1/test/numbers/7", params={"b": "12", "ce": "3", "flag": "true", "text": "1e3"}
    )

    assert response.status_code == 200
    assert response.json() == {"a": 7, "b": 12, "c": 3, "flag": True, "text": "1e3"}


@pytest.mark.parametrize(
    ("path", "query", "named"),
    [
        ("7e0", "", ["a"]),
        ("7", "b=1e3", ["b"]),
        ("7", "ce=10.0", ["ce"]),
        ("7", "b=1&b=2.0", ["b"]),
        ("1e1", "b=%EF%BC%91&ce=0x1", ["a", "b", "ce"]),
    ],
)
async def test_other_spellings_are_a_400_naming_each(
    client: AsyncTestClient, path: str, query: str, named: list[str]
) -> None:
    """Exponents, decimal points, full-width digits or hex, in the path or the query (any repeat), are 400."""
    response = await client.get(f"/api/v1/test/numbers/{path}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "solicitud_invalida"
    assert [(p["name"], p["rule"]) for p in body["detail"]["parameters"]] == [
        (name, "Debe ser un número entero.") for name in named
    ]


def test_no_route_parses_a_number_in_its_path(app: Litestar) -> None:
    """Numeric path parameters are declared ``{name:str}``: a ``{name:int}`` converter would take ``+7``."""
    converters = {
        (route.path, parameter.name): parameter.type
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for parameter in route.path_parameters.values()
    }

    assert {key: kind for key, kind in converters.items() if kind is not str} == {}
