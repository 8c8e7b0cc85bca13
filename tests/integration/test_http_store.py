"""The tienda's catalog route through Litestar's test client, over real services on memory storage."""

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from tests.contracts.common import ALICE, api_keys_over
from tests.contracts.store_fixtures import MEDAL, MEDAL_STOCK, ROSE, ROSE_LIMIT, fund, make_store
from tests.integration.http_apps import bearer, sign_init_data, tma
from yabot_adapters.http import create_app
from yabot_adapters.http.auth import Authenticator
from yabot_adapters.http.controllers.store import store_controller
from yabot_adapters.memory import InMemoryStorage
from yabot_core.apikeys import CORE_SCOPES
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.store import STORE_READ, Store

ROUTE = "/api/v1/store/items"


@pytest.fixture(name="store")
def store_fixture(storage: InMemoryStorage, clock: FakeClock) -> Store:
    return make_store(storage, clock)


@pytest.fixture(name="client")
async def client_fixture(
    store: Store, authenticator: Authenticator, reader: str
) -> AsyncIterator[AsyncTestClient]:
    app = create_app(
        authenticator=authenticator, route_handlers=[store_controller(store)], rate_limit_per_minute=None
    )
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = reader
        yield client


async def test_a_store_read_key_pages_the_items_for_sale_with_units_left(
    client: AsyncTestClient, store: Store, storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds
) -> None:
    """Only priced items, in catalog order, with the catalog's price and the units still unsold."""
    assert (await client.get(ROUTE)).status_code == 403  # ``users:read`` is not enough
    keys = api_keys_over(storage, clock, ids, {**CORE_SCOPES, STORE_READ: "Leer la tienda."})
    client.headers["Authorization"] = await bearer(keys, "tienda", STORE_READ)
    await fund(storage, clock, 10, ALICE)
    await store.purchase(ALICE, MEDAL, tap="http")
    response = await client.get(ROUTE, params={"limit": 2})
    assert response.status_code == 200
    page = response.json()["items"]
    assert (page["limit"], page["offset"], page["total"]) == (2, 0, 3)
    assert page["items"] == [
        {
            "item_id": MEDAL,
            "name": "Medalla",
            "description": "Descripción de Medalla.",
            "kind": "item",
            "price": 5,
            "stock": MEDAL_STOCK,
            "left": MEDAL_STOCK - 1,
            "purchase_limit": None,
            "vip_only": False,
        },
        {
            "item_id": ROSE,
            "name": "Rosa",
            "description": "Descripción de Rosa.",
            "kind": "item",
            "price": 2,
            "stock": None,
            "left": None,
            "purchase_limit": ROSE_LIMIT,
            "vip_only": False,
        },
    ]
    last = (await client.get(ROUTE, params={"offset": 2})).json()["items"]["items"]
    assert [(item["item_id"], item["vip_only"]) for item in last] == [("antifaz", True)]


async def test_any_fan_reads_the_catalog_from_the_mini_app(client: AsyncTestClient, clock: FakeClock) -> None:
    """A signed ``initData`` is enough: the catalog is the same for every fan."""
    client.headers["Authorization"] = tma(sign_init_data(ALICE, clock.now()))
    response = await client.get(ROUTE)
    assert response.status_code == 200
    assert response.json()["items"]["total"] == 3


async def test_bad_paging_is_a_spanish_400_and_no_credentials_a_401(
    client: AsyncTestClient, clock: FakeClock
) -> None:
    """``limit`` beyond 100 is refused with a stable code; without credentials the route says who may call."""
    client.headers["Authorization"] = tma(sign_init_data(ALICE, clock.now()))
    bad = await client.get(ROUTE, params={"limit": 101})
    assert bad.status_code == 400
    assert bad.json()["code"] == "solicitud_invalida"
    del client.headers["Authorization"]
    assert (await client.get(ROUTE)).status_code == 401
