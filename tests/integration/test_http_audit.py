"""The audit log over HTTP, through the product's own app: paged, narrowed by time and actor, admins only."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer as new_key
from yabot_app.container import Container, build_container
from yabot_app.lifecycle import working
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.settings import Settings
from yabot_core.apikeys import ADMIN, USERS_READ
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, SequentialIds, UserId

AUDIT = "/api/v1/admin/audit"


@pytest.fixture(name="container")
async def container_fixture(clock: FakeClock) -> AsyncIterator[Container]:
    settings = Settings.model_validate(
        {
            "storage": "memory",
            "api_rate_limit_per_minute": 0,
            "welcome_besitos": 0,
            "data_dir": "/nonexistent",
        }
    )
    container = build_container(settings, telegram=False, clock=clock, ids=SequentialIds("h"))
    async with working(container):
        yield container


@pytest.fixture(name="client")
async def client_fixture(container: Container) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=container.http_app()) as client:
        yield client


async def bearer(container: Container, *scopes: str, name: str) -> str:
    return await new_key(container.modules().get(ApiKeysModule).keys, name, *scopes)


async def test_admins_page_the_log_by_time_and_actor(
    container: Container, client: AsyncTestClient, clock: FakeClock
) -> None:
    """Entries come newest first with who, what, when and the correlation id; since and actor narrow them."""
    admin = await bearer(container, ADMIN, name="panel")  # issuing the key is itself audited (operator)
    service = container.modules().get(SubscriptionsModule).service
    clock.advance(timedelta(hours=1))
    since = clock.now()
    await service.grant(UserId(42), days=3, actor=Actor.admin(UserId(7)), idempotency_key="g")

    everything = await client.get(AUDIT, headers={"Authorization": admin})
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["total"] == 2
    newest = body["items"][0]
    assert (newest["actor"], newest["actor_kind"], newest["action"], newest["target"]) == (
        "admin:7",
        "admin",
        "subscriptions.grant",
        "user:42",
    )
    assert newest["correlation_id"]
    assert newest["result"] == "ok"
    assert newest["created_at"].startswith(since.strftime("%Y-%m-%dT%H:%M"))

    recent = await client.get(AUDIT, params={"since": since.isoformat()}, headers={"Authorization": admin})
    assert [item["action"] for item in recent.json()["items"]] == ["subscriptions.grant"]
    by_admin = await client.get(
        AUDIT, params={"actor": "admin:7", "limit": 1}, headers={"Authorization": admin}
    )
    assert (by_admin.json()["total"], by_admin.json()["limit"]) == (1, 1)
    about_42 = await client.get(AUDIT, params={"user_id": 42}, headers={"Authorization": admin})
    assert [item["target"] for item in about_42.json()["items"]] == ["user:42"]
    assert (await client.get(AUDIT, params={"user_id": 43}, headers={"Authorization": admin})).json()[
        "total"
    ] == 0


async def test_bad_filters_and_other_scopes_are_refused(
    container: Container, client: AsyncTestClient
) -> None:
    """An unknown actor kind or a naive time is a 400 with a code; a key without ``admin`` is a 403."""
    admin = await bearer(container, ADMIN, name="panel")
    reader = await bearer(container, USERS_READ, name="lector")
    odd = await client.get(AUDIT, params={"actor": "nadie:7"}, headers={"Authorization": admin})
    assert (odd.status_code, odd.json()["code"]) == (400, "entrada_invalida")
    assert "tipo:nombre" in odd.json()["message"]
    naive = await client.get(AUDIT, params={"since": "2026-01-01T00:00:00"}, headers={"Authorization": admin})
    assert (naive.status_code, naive.json()["code"]) == (400, "entrada_invalida")
    forbidden = await client.get(AUDIT, headers={"Authorization": reader})
    assert forbidden.status_code == 403
