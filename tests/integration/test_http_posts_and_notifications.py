"""Scheduled posts and notifications over HTTP, for admin keys: list, create, cancel; Spanish errors."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer as new_key
from yabot_app.container import Container, build_container
from yabot_app.lifecycle import working
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.audit import AuditModule
from yabot_app.settings import Settings
from yabot_core.apikeys import ADMIN, USERS_READ
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, SequentialIds

POSTS = "/api/v1/admin/scheduled-posts"
NOTIFICATIONS = "/api/v1/admin/notifications"


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


@pytest.fixture(name="admin")
async def admin_fixture(container: Container) -> dict[str, str]:
    return {"Authorization": await new_key(container.modules().get(ApiKeysModule).keys, "panel", ADMIN)}


class TestScheduledPosts:
    async def test_an_admin_schedules_lists_and_cancels_a_post(
        self, container: Container, client: AsyncTestClient, admin: dict[str, str], clock: FakeClock
    ) -> None:
        """A photo post to VIP is stored protected, listed as pending, cancelled once; all audited by key."""
        at = (clock.now() + timedelta(hours=2)).isoformat()
        body = {
            "channel": "vip",
            "text": "Esta noche",
            "media": [{"kind": "foto", "file": "AgADfoto"}],
            "at": at,
        }
        created = await client.post(POSTS, headers=admin, json=body)
        assert created.status_code == 201, created.text
        post = created.json()
        assert (post["channel"], post["kind"], post["protect"], post["state"]) == (
            "vip",
            "foto",
            True,
            "programada",
        )
        listed = await client.get(POSTS, headers=admin, params={"pending": "true"})
        assert [item["post_id"] for item in listed.json()] == [post["post_id"]]
        cancelled = await client.delete(f"{POSTS}/{post['post_id']}", headers=admin)
        assert cancelled.json()["state"] == "cancelada"
        again = await client.delete(f"{POSTS}/{post['post_id']}", headers=admin)
        assert (again.status_code, again.json()["code"]) == (409, "publicacion_no_editable")
        audit = await container.modules().get(AuditModule).log.page(limit=10)
        actions = {entry.action for entry in audit.entries if entry.actor == Actor.api_key("panel")}
        assert actions == {"posts.schedule", "posts.cancel"}

    async def test_bad_posts_are_refused_in_spanish_and_nothing_is_stored(
        self, client: AsyncTestClient, admin: dict[str, str]
    ) -> None:
        """No text nor media, a removal past Telegram's 48 h, an unknown id: each a JSON error with a code."""
        empty = await client.post(POSTS, headers=admin, json={"channel": "gratuito", "text": " "})
        assert (empty.status_code, empty.json()["code"]) == (400, "publicacion_invalida")
        assert "texto" in empty.json()["message"]
        late = await client.post(
            POSTS, headers=admin, json={"channel": "gratuito", "text": "Hola", "remove_after_hours": 72}
        )
        assert (late.status_code, late.json()["code"]) == (400, "publicacion_invalida")
        for hours in (10**12, -(10**12)):  # beyond any timedelta: refused alike, never a 500
            absurd = await client.post(
                POSTS,
                headers=admin,
                json={"channel": "gratuito", "text": "Hola", "remove_after_hours": hours},
            )
            assert (absurd.status_code, absurd.json()["code"]) == (400, "publicacion_invalida")
        for hours in (10**12, -(10**12)):  # beyond any timedelta: refused alike, never a 500
            absurd = await client.post(
                POSTS,
                headers=admin,
                json={"channel": "gratuito", "text": "Hola", "remove_after_hours": hours},
            )
            assert (absurd.status_code, absurd.json()["code"]) == (400, "publicacion_invalida")
        missing = await client.get(f"{POSTS}/nada", headers=admin)
        assert (missing.status_code, missing.json()["code"]) == (404, "publicacion_no_encontrada")
        assert (await client.get(POSTS, headers=admin)).json() == []

    async def test_only_admin_keys_reach_them(self, container: Container, client: AsyncTestClient) -> None:
        """A key without the admin scope is refused with 403; no key at all with 401."""
        reader = {
            "Authorization": await new_key(container.modules().get(ApiKeysModule).keys, "lector", USERS_READ)
        }
        assert (await client.get(POSTS, headers=reader)).status_code == 403
        assert (await client.get(NOTIFICATIONS)).status_code == 401


class TestNotifications:
    async def test_an_admin_creates_follows_and_cancels_a_broadcast(
        self, client: AsyncTestClient, admin: dict[str, str]
    ) -> None:
        """Created to a list with its counts (nothing sent in a process without the bot), then cancelled."""
        body = {"text": "Rebajas", "audience": "lista", "user_ids": [5, 6], "category": "ofertas"}
        created = await client.post(NOTIFICATIONS, headers=admin, json=body)
        assert created.status_code == 201, created.text
        item = created.json()
        assert (item["audience"], item["state"], item["sent"], item["progress"]) == (
            "lista",
            "programada",
            0,
            0.0,
        )
        listed = await client.get(NOTIFICATIONS, headers=admin)
        assert [each["broadcast_id"] for each in listed.json()] == [item["broadcast_id"]]
        cancelled = await client.delete(f"{NOTIFICATIONS}/{item['broadcast_id']}", headers=admin)
        assert cancelled.json()["state"] == "cancelada"
        again = await client.delete(f"{NOTIFICATIONS}/{item['broadcast_id']}", headers=admin)
        assert (again.status_code, again.json()["code"]) == (409, "difusion_terminada")

    async def test_bad_broadcasts_are_refused_in_spanish(
        self, client: AsyncTestClient, admin: dict[str, str]
    ) -> None:
        """An unknown category, a list without fans: 400 with a stable code and a Spanish message."""
        bad = await client.post(
            NOTIFICATIONS, headers=admin, json={"text": "Hola", "audience": "todos", "category": "spam"}
        )
        assert (bad.status_code, bad.json()["code"]) == (400, "categoria_desconocida")
        empty = await client.post(NOTIFICATIONS, headers=admin, json={"text": "Hola", "audience": "lista"})
        assert (empty.status_code, empty.json()["code"]) == (400, "difusion_invalida")
        assert (await client.get(NOTIFICATIONS, headers=admin)).json() == []
