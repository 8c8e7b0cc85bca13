"""The mochila route through Litestar's test client, over real services on memory storage; its OpenAPI."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.contracts.inventory_catalog import CHEST, KEY, LEFT, ROSE, small_catalog
from tests.integration.http_apps import bearer
from yabot_adapters.http import create_app
from yabot_adapters.http.auth import Authenticator
from yabot_adapters.http.controllers.inventory import inventory_controller
from yabot_adapters.memory import InMemoryStorage
from yabot_app.container import build_container
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.settings import Settings
from yabot_core.apikeys import USERS_READ
from yabot_core.inventory import ADMIN_GRANT, MAX_OFFSET, ItemCatalog, Mochila
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.users import UserDirectory, UserProfile

ANA = UserId(11)
ROUTE = "/api/v1/users/{user_id}/inventory"


@pytest.fixture(name="mochila")
def mochila_fixture(storage: InMemoryStorage, clock: FakeClock, ids: SequentialIds) -> Mochila:
    return Mochila(storage.transactions, storage.inventory_queries, small_catalog(), clock, ids)


@pytest.fixture(name="client")
async def client_fixture(
    mochila: Mochila, users: UserDirectory, authenticator: Authenticator, reader: str
) -> AsyncIterator[AsyncTestClient]:
    app = create_app(
        authenticator=authenticator,
        route_handlers=[inventory_controller(mochila, users)],
        rate_limit_per_minute=None,
    )
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = reader
        yield client


@pytest.fixture(name="ana")
async def ana_fixture(users: UserDirectory, mochila: Mochila) -> UserId:
    """Ana, registered, holding three roses, a key and the left half of a letter."""
    await users.register(UserProfile(user_id=ANA, first_name="Ana"))
    for item, quantity in ((ROSE, 3), (KEY, 1), (LEFT, 1)):
        await mochila.add(ANA, item, quantity, reason=ADMIN_GRANT, idempotency_key=f"seed-{item}")
    return ANA


class TestInventory:
    async def test_a_registered_user_sees_a_page_of_what_they_hold(
        self, client: AsyncTestClient, ana: UserId
    ) -> None:
        """A page lists held items by id with the catalog's fields, skipping ``offset``, at most ``limit``."""
        response = await client.get(f"/api/v1/users/{ana}/inventory", params={"limit": 2, "offset": 1})

        assert response.status_code == 200
        body = response.json()
        assert body["user_id"] == ana
        contents = body["contents"]
        assert (contents["limit"], contents["offset"], contents["total"]) == (2, 1, 3)
        assert contents["items"] == [
            {
                "item_id": KEY,
                "name": "Llave",
                "description": "Descripción de Llave.",
                "kind": "item",
                "quantity": 1,
                "stackable": False,
                "max_quantity": 1,
                "vip_only": False,
                "in_catalog": True,
            },
            {
                "item_id": ROSE,
                "name": "Rosa",
                "description": "Descripción de Rosa.",
                "kind": "item",
                "quantity": 3,
                "stackable": True,
                "max_quantity": 5,
                "vip_only": False,
                "in_catalog": True,
            },
        ]

    async def test_an_item_gone_from_the_catalog_is_still_listed(
        self,
        storage: InMemoryStorage,
        clock: FakeClock,
        users: UserDirectory,
        mochila: Mochila,
        ana: UserId,
        authenticator: Authenticator,
        reader: str,
    ) -> None:
        """An item the creator removed shows by its id, with ``in_catalog`` false."""
        await mochila.add(ana, CHEST, reason=ADMIN_GRANT, idempotency_key="chest")
        smaller = ItemCatalog(items=tuple(i for i in small_catalog().items if i.id != CHEST))
        later = Mochila(storage.transactions, storage.inventory_queries, smaller, clock, SequentialIds("l"))
        app = create_app(
            authenticator=authenticator,
            route_handlers=[inventory_controller(later, users)],
            rate_limit_per_minute=None,
        )
        async with AsyncTestClient(app=app) as client:
            client.headers["Authorization"] = reader
            items = (await client.get(f"/api/v1/users/{ana}/inventory")).json()["contents"]["items"]
        assert items[1] == {
            "item_id": CHEST,
            "name": CHEST,
            "description": None,
            "kind": None,
            "quantity": 1,
            "stackable": False,
            "max_quantity": None,
            "vip_only": False,
            "in_catalog": False,
        }

    async def test_an_empty_mochila_is_an_empty_page(
        self, client: AsyncTestClient, users: UserDirectory
    ) -> None:
        """A registered user who holds nothing gets a page with no items and a total of 0."""
        await users.register(UserProfile(user_id=UserId(12), first_name="Luis"))
        contents = (await client.get("/api/v1/users/12/inventory")).json()["contents"]
        assert (contents["items"], contents["total"]) == ([], 0)

    async def test_an_unknown_user_is_a_404(self, client: AsyncTestClient) -> None:
        """Nobody registered with that id: 404 ``usuario_no_encontrado`` in Spanish."""
        response = await client.get("/api/v1/users/8/inventory")

        assert response.status_code == 404
        assert response.json() == {
            "code": "usuario_no_encontrado",
            "message": "No hay ningún usuario registrado con el id 8.",
            "detail": {"user_id": 8},
        }

    @pytest.mark.parametrize(
        ("path", "query", "parameter"),
        [
            ("0", {}, "user_id"),
            ("abc", {}, "user_id"),
            ("1e3", {}, "user_id"),
            ("11", {"limit": "0"}, "limit"),
            ("11", {"limit": "101"}, "limit"),
            ("11", {"offset": "-1"}, "offset"),
            ("11", {"offset": str(MAX_OFFSET + 1)}, "offset"),
            ("11", {"limit": "2.0"}, "limit"),
        ],
    )
    async def test_bad_parameters_are_a_400_naming_them(
        self, client: AsyncTestClient, ana: UserId, path: str, query: dict[str, str], parameter: str
    ) -> None:
        """Ids and bounds follow the API's rules: plain digits within range, or 400 ``solicitud_invalida``."""
        response = await client.get(f"/api/v1/users/{path}/inventory", params=query)

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "solicitud_invalida"
        assert [p["name"] for p in body["detail"]["parameters"]] == [parameter]


class TestOpenApi:
    @pytest.fixture(name="schema")
    async def schema_fixture(self, client: AsyncTestClient) -> dict[str, Any]:
        response = await client.get("/api/v1/schema/openapi.json")
        assert response.status_code == 200
        schema: dict[str, Any] = response.json()
        return schema

    def test_the_route_is_documented_with_an_example(self, schema: dict[str, Any]) -> None:
        """The route has its summary, bounded parameters, a 200 example and the error schema for its 404."""
        operation = schema["paths"][ROUTE]["get"]
        assert operation["summary"] == "Consultar la mochila de un usuario"
        assert operation["tags"] == ["mochila"]
        parameters = {parameter["name"]: parameter["schema"] for parameter in operation["parameters"]}
        assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
        assert (parameters["offset"]["minimum"], parameters["offset"]["maximum"]) == (0, MAX_OFFSET)
        [example] = operation["responses"]["200"]["content"]["application/json"]["examples"].values()
        assert example["value"]["contents"]["items"][0]["item_id"] == "carta-rota-izquierda"
        [missing] = operation["responses"]["404"]["content"]["application/json"]["examples"].values()
        assert missing["value"]["code"] == "usuario_no_encontrado"
        for status in ("400", "404", "429", "500", "503"):
            schema_ref = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema_ref == {"$ref": "#/components/schemas/ErrorBody"}

    def test_the_example_matches_the_response_schema(self, schema: dict[str, Any]) -> None:
        """The documented example has exactly the fields the schema declares."""
        operation = schema["paths"][ROUTE]["get"]["responses"]["200"]["content"]["application/json"]
        [example] = operation["examples"].values()
        held = schema["components"]["schemas"]["HeldItemBody"]
        assert set(example["value"]["contents"]["items"][0]) == set(held["properties"])


async def test_the_product_serves_the_route_through_the_plug(tmp_path: Path) -> None:
    """The app the container builds serves the mochila route: the module plugs it in."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    keys = container.modules().get(ApiKeysModule).keys
    reader = await bearer(keys, "lector", USERS_READ)
    async with AsyncTestClient(app=container.http_app()) as client:
        anonymous = await client.get("/api/v1/users/5/inventory")
        response = await client.get("/api/v1/users/5/inventory", headers={"Authorization": reader})
    assert anonymous.status_code == 401
    assert (response.status_code, response.json()["code"]) == (404, "usuario_no_encontrado")
