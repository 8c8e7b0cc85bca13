"""The OpenAPI document the HTTP API serves under ``/api/v1/schema``."""

import re
from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any

import pytest
import yaml
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import besitos_app, keys_only
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import FakeClock, SequentialIds
from yabot_core.users import UserDirectory
from yabot_core.wallet import MAX_HISTORY_OFFSET, WalletService

BESITOS = "/api/v1/users/{user_id}/besitos"
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorBody"}


EXTERNAL_REFERENCE = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//"""
)
"""Anything in a page that makes the browser fetch from another host (a script, a stylesheet, a font)."""


@pytest.fixture(name="client")
async def client_fixture(clock: FakeClock, ids: SequentialIds) -> AsyncIterator[AsyncTestClient]:
    storage = InMemoryStorage(clock)
    app = besitos_app(
        WalletService(storage.transactions, storage.wallet_queries, clock, ids),
        UserDirectory(storage.transactions, storage.user_queries, clock, ids),
        keys_only(),
    )
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.fixture(name="schema")
async def schema_fixture(client: AsyncTestClient) -> dict[str, Any]:
    response = await client.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


async def test_the_schema_page_is_the_document_itself(
    client: AsyncTestClient, schema: dict[str, Any]
) -> None:
    """``/api/v1/schema`` is the OpenAPI document as plain JSON, which a browser shows without any script."""
    response = await client.get("/api/v1/schema")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == schema


async def test_the_document_is_also_yaml(client: AsyncTestClient, schema: dict[str, Any]) -> None:
    """``/api/v1/schema/openapi.yaml`` is the same document in YAML."""
    response = await client.get("/api/v1/schema/openapi.yaml")

    assert response.status_code == 200
    assert yaml.safe_load(response.text) == schema


@pytest.mark.parametrize(
    "page",
    ["", "/", "/openapi.json", "/openapi.yaml", "/scalar", "/swagger", "/redoc", "/rapidoc", "/elements"],
)
async def test_no_schema_page_loads_anything_from_another_host(client: AsyncTestClient, page: str) -> None:
    """Nothing under ``/api/v1/schema`` pulls a script, stylesheet or font from a CDN: it works offline."""
    response = await client.get(f"/api/v1/schema{page}")

    assert response.status_code in {200, 404}
    assert EXTERNAL_REFERENCE.search(response.text) is None


def test_info_names_yabot_and_its_version(schema: dict[str, Any]) -> None:
    """The document is titled YABOT and carries the installed package's version."""
    assert (schema["info"]["title"], schema["info"]["version"]) == ("YABOT", version("yabot"))


def test_besitos_route_is_listed_with_its_parameters(schema: dict[str, Any]) -> None:
    """The besitos route is documented with its integer id and bounded ``limit`` and ``offset``."""
    operation = schema["paths"][BESITOS]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}

    assert parameters["user_id"]["in"] == "path"
    assert parameters["user_id"]["schema"]["type"] == "integer"
    assert (parameters["limit"]["schema"]["minimum"], parameters["limit"]["schema"]["maximum"]) == (1, 100)
    assert (parameters["offset"]["schema"]["minimum"], parameters["offset"]["schema"]["maximum"]) == (
        0,
        MAX_HISTORY_OFFSET,
    )


@pytest.mark.parametrize("status", ["400", "404", "429", "500", "503"])
def test_besitos_errors_use_the_error_schema(schema: dict[str, Any], status: str) -> None:
    """Each error the besitos route may answer is documented with the one error schema and an example."""
    response = schema["paths"][BESITOS]["get"]["responses"][status]
    content = response["content"]["application/json"]

    assert content["schema"] == ERROR_SCHEMA
    [example] = content["examples"].values()
    assert set(example["value"]) == {"code", "message", "detail"}


def test_the_two_security_schemes_are_documented(schema: dict[str, Any]) -> None:
    """API keys as HTTP bearer tokens; the Mini App's ``initData`` in the same header, scheme ``tma``."""
    schemes = schema["components"]["securitySchemes"]

    assert (schemes["claveApi"]["type"], schemes["claveApi"]["scheme"]) == ("http", "bearer")
    assert (schemes["initDataTelegram"]["type"], schemes["initDataTelegram"]["in"]) == ("apiKey", "header")
    assert schemes["initDataTelegram"]["name"] == "Authorization"
    assert "tma <initData>" in schemes["initDataTelegram"]["description"]


def test_every_api_operation_says_who_may_call_it(schema: dict[str, Any]) -> None:
    """Each ``/api/v1`` operation lists its security (a scope, or the fan) and documents its 401 and 403,
    with an example of every reason; the probes and the document itself need nothing."""
    operations = {
        path: methods["get"]
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/") and "get" in methods
    }
    assert BESITOS in operations
    for path, operation in operations.items():
        assert operation["security"] == [{"claveApi": ["users:read"]}, {"initDataTelegram": []}], path
        unauthorized = operation["responses"]["401"]["content"]["application/json"]
        codes = {example["value"]["code"] for example in unauthorized["examples"].values()}
        assert codes >= {"credenciales_ausentes", "clave_revocada", "initdata_caducado"}, path
        assert operation["responses"]["403"]["content"]["application/json"]["schema"] == ERROR_SCHEMA
    assert "security" not in schema["paths"]["/healthz"]["get"]


def test_readyz_documents_its_503(schema: dict[str, Any]) -> None:
    """``/readyz`` documents its 503 with the error schema."""
    response = schema["paths"]["/readyz"]["get"]["responses"]["503"]

    assert response["content"]["application/json"]["schema"] == ERROR_SCHEMA


def test_error_schema_has_code_message_and_detail(schema: dict[str, Any]) -> None:
    """The error schema requires ``code``, ``message`` and ``detail``."""
    error = schema["components"]["schemas"]["ErrorBody"]

    assert set(error["required"]) == {"code", "message", "detail"}
    assert (error["properties"]["code"]["type"], error["properties"]["detail"]["type"]) == (
        "string",
        "object",
    )


def test_every_operation_has_a_summary_and_description(schema: dict[str, Any]) -> None:
    """Every documented operation says what it does."""
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]

    assert {path for path, _, _ in operations} >= {BESITOS, "/healthz", "/readyz"}
    for path, method, operation in operations:
        assert operation.get("summary"), (path, method)
        assert operation.get("description"), (path, method)


def test_ledger_items_publish_no_internal_keys(schema: dict[str, Any]) -> None:
    """The ledger item schema has the published fields and no idempotency key."""
    item = schema["components"]["schemas"]["LedgerItem"]

    assert set(item["properties"]) == {
        "entry_id",
        "sequence",
        "amount",
        "reason",
        "reason_label",
        "note",
        "balance_after",
        "created_at",
    }
