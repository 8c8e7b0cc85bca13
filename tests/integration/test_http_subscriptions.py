"""VIP over HTTP, through the product's own app on memory storage: a fan's subscription, the list, grants."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer as new_key
from yabot_app.container import Container, build_container
from yabot_app.lifecycle import working
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.modules.users import UsersModule
from yabot_app.settings import Settings
from yabot_core.apikeys import ADMIN, USERS_READ
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.subscriptions import SUBSCRIPTIONS_WRITE
from yabot_core.users import UserProfile

ANA, PEDRO, LUIS = UserId(11), UserId(12), UserId(13)
GRANTS = "/api/v1/admin/subscriptions/grants"


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


async def bearer(container: Container, *scopes: str, name: str = "herramienta") -> str:
    """An ``Authorization`` value for a new key of the product's own API keys module."""
    return await new_key(container.modules().get(ApiKeysModule).keys, name, *scopes)


@pytest.fixture(name="client")
async def client_fixture(container: Container) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=container.http_app()) as client:
        yield client


async def grant(container: Container, user: UserId, days: int) -> datetime:
    service = container.modules().get(SubscriptionsModule).service
    change = await service.grant(user, days=days, actor=Actor.operator("t"), idempotency_key=f"s-{user}")
    return change.subscription.vip_until


class TestFanSubscription:
    async def test_a_vip_and_someone_who_never_was(
        self, container: Container, client: AsyncTestClient
    ) -> None:
        """A VIP sees until when; a registered fan who never was sees ``none``; nobody else is a 404."""
        until = await grant(container, ANA, 30)
        await (
            container.modules()
            .get(UsersModule)
            .directory.register(UserProfile(user_id=PEDRO, first_name="Pedro"))
        )
        auth = {"Authorization": await bearer(container, USERS_READ)}
        body = (await client.get(f"/api/v1/users/{ANA}/subscription", headers=auth)).json()
        assert body["vip"] is True
        assert body["status"] == "active"
        assert datetime.fromisoformat(body["vip_until"]) == until
        never = (await client.get(f"/api/v1/users/{PEDRO}/subscription", headers=auth)).json()
        assert (never["vip"], never["status"], never["vip_until"]) == (False, "none", None)
        missing = await client.get(f"/api/v1/users/{LUIS}/subscription", headers=auth)
        assert missing.status_code == 404


class TestAdminList:
    async def test_soonest_end_first_and_the_expiring_filter(
        self, container: Container, client: AsyncTestClient
    ) -> None:
        """The list pages VIPs by end; ``expiring_within_hours`` keeps those ending within it."""
        for user, days in ((ANA, 30), (PEDRO, 2), (LUIS, 10)):
            await grant(container, user, days)
        auth = {"Authorization": await bearer(container, ADMIN)}
        page = (await client.get("/api/v1/admin/subscriptions/", headers=auth, params={"limit": 2})).json()
        assert [item["user_id"] for item in page["items"]] == [PEDRO, LUIS]
        assert page["total"] == 3
        soon = await client.get(
            "/api/v1/admin/subscriptions/", headers=auth, params={"expiring_within_hours": 72}
        )
        assert [item["user_id"] for item in soon.json()["items"]] == [PEDRO]
        refused = await client.get(
            "/api/v1/admin/subscriptions/", headers={"Authorization": await bearer(container, USERS_READ)}
        )
        assert refused.status_code == 403


class TestBulkGrant:
    async def test_grants_once_per_key_and_audits_the_key_name(
        self, container: Container, client: AsyncTestClient, clock: FakeClock
    ) -> None:
        """A batch grants each fan; the same Idempotency-Key again changes nothing; audited by key name."""
        auth = {
            "Authorization": await bearer(container, SUBSCRIPTIONS_WRITE, name="tienda"),
            "Idempotency-Key": "lote-1",
        }
        until = (clock.now() + timedelta(days=5)).replace(microsecond=0)
        body = {"grants": [{"user_id": ANA, "days": 30}, {"user_id": PEDRO, "until": until.isoformat()}]}
        first = await client.post(GRANTS, headers=auth, json=body)
        assert first.status_code == 200, first.text
        results = first.json()["results"]
        assert [(r["user_id"], r["kind"], r["replayed"]) for r in results] == [
            (ANA, "grant", False),
            (PEDRO, "grant", False),
        ]
        again = await client.post(GRANTS, headers=auth, json=body)
        assert [r["replayed"] for r in again.json()["results"]] == [True, True]
        assert [r["entry_id"] for r in again.json()["results"]] == [r["entry_id"] for r in results]

        audit = await container.modules().get(AuditModule).log.page(limit=10)
        grants = [entry for entry in audit.entries if entry.action == "subscriptions.grant"]
        assert {entry.actor for entry in grants} == {Actor.api_key("tienda")}
        assert len(grants) == 2  # the key's own creation is audited too, by the operator who made it

    async def test_a_bad_grant_refuses_the_whole_batch_in_spanish(
        self, container: Container, client: AsyncTestClient
    ) -> None:
        """One grant with both days and until (or none): 400 in Spanish, and nobody granted anything."""
        auth = {"Authorization": await bearer(container, SUBSCRIPTIONS_WRITE), "Idempotency-Key": "lote-2"}
        body = {"grants": [{"user_id": ANA, "days": 30}, {"user_id": PEDRO}]}
        refused = await client.post(GRANTS, headers=auth, json=body)
        assert refused.status_code == 400
        assert refused.json()["code"] == "duracion_invalida"
        service = container.modules().get(SubscriptionsModule).service
        assert await service.status(ANA) is None
        twice = await client.post(
            GRANTS, headers=auth, json={"grants": [{"user_id": ANA, "days": 1}, {"user_id": ANA, "days": 2}]}
        )
        assert twice.status_code == 400
        assert "una sola vez" in twice.json()["message"]

    async def test_only_keys_with_the_write_scope_grant(
        self, container: Container, client: AsyncTestClient
    ) -> None:
        """``admin`` alone is not enough to grant: the route asks for ``subscriptions:write``."""
        auth = {"Authorization": await bearer(container, ADMIN), "Idempotency-Key": "k"}
        refused = await client.post(GRANTS, headers=auth, json={"grants": [{"user_id": ANA, "days": 1}]})
        assert refused.status_code == 403
        assert refused.json()["detail"]["required_scope"] == SUBSCRIPTIONS_WRITE
