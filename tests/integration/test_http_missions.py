"""The missions route through Litestar's test client, on the product's own composition (memory storage)."""

from pathlib import Path

from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer
from yabot_app.container import build_container
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.missions import MissionsModule
from yabot_app.modules.users import UsersModule
from yabot_app.settings import Settings
from yabot_core.apikeys import USERS_READ
from yabot_core.audit import Actor
from yabot_core.kernel import UserId
from yabot_core.missions import MISSIONS_WRITE
from yabot_core.users import UserProfile

ANA = UserId(11)


async def test_a_fan_s_missions_are_served_under_way_and_done(tmp_path: Path) -> None:
    """A registered fan's shipped missions, in catalog order; 401 without a key, 404 for an unknown fan."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    modules = container.modules()
    bus = container.event_routes()  # routes first: events committed from now on are owed to the handlers
    reader = await bearer(modules.get(ApiKeysModule).keys, "lector", USERS_READ)
    await modules.get(UsersModule).directory.register(UserProfile(user_id=ANA, first_name="Ana"))
    await bus.deliver_pending()  # UserRegistered gives the missions
    await modules.get(MissionsModule).missions.assign(ANA, "bienvenida-vip")

    async with AsyncTestClient(app=container.http_app()) as client:
        anonymous = await client.get(f"/api/v1/users/{ANA}/missions")
        unknown = await client.get("/api/v1/users/5/missions", headers={"Authorization": reader})
        response = await client.get(f"/api/v1/users/{ANA}/missions", headers={"Authorization": reader})

    assert anonymous.status_code == 401
    assert (unknown.status_code, unknown.json()["code"]) == (404, "usuario_no_encontrado")
    assert response.status_code == 200
    body = response.json()
    assert body["completed"] == []
    assert [(m["mission_id"], m["progress"], m["target"]) for m in body["active"]] == [
        ("primer-regalo", 0, 1),
        ("constancia-semanal", 0, 3),
        ("lector-de-pistas", 0, 1),
        ("tres-reacciones", 0, 3),
        ("bienvenida-vip", 0, 1),
    ]
    assert body["active"][1] == {
        "mission_id": "constancia-semanal",
        "title": "Constancia",
        "description": "Recoja el regalo diario tres días de esta semana.",
        "kind": "semanal",
        "progress": 0,
        "target": 3,
        "completed": False,
        "completions": 0,
        "reward_besitos": 15,
        "reward_item_id": "rosa-roja",
    }


async def test_an_admin_key_assigns_a_mission_once_and_it_is_audited(tmp_path: Path) -> None:
    """missions:write gives a fan a mission once (again: the first one), audited by the key's name."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    modules = container.modules()
    keys = modules.get(ApiKeysModule).keys
    writer = await bearer(keys, "panel", MISSIONS_WRITE)
    reader = await bearer(keys, "lector", USERS_READ)
    route = "/api/v1/admin/missions/assignments"

    async with AsyncTestClient(app=container.http_app()) as client:
        forbidden = await client.post(
            route, headers={"Authorization": reader}, json={"user_id": ANA, "mission_id": "bienvenida-vip"}
        )
        unknown = await client.post(
            route, headers={"Authorization": writer}, json={"user_id": ANA, "mission_id": "bienvenda-vip"}
        )
        bad = await client.post(
            route, headers={"Authorization": writer}, json={"user_id": 0, "mission_id": ""}
        )
        first = await client.post(
            route, headers={"Authorization": writer}, json={"user_id": ANA, "mission_id": "bienvenida-vip"}
        )
        again = await client.post(
            route, headers={"Authorization": writer}, json={"user_id": ANA, "mission_id": "bienvenida-vip"}
        )

    assert forbidden.status_code == 403
    assert (unknown.status_code, unknown.json()["code"]) == (404, "mision_desconocida")
    assert "bienvenida-vip" in unknown.json()["message"]  # the hint names the id meant
    assert bad.status_code == 400
    assert first.status_code == 200
    assert first.json()["source"] == "admin"
    assert again.json() == first.json()
    audit = await modules.get(AuditModule).log.page(limit=10)
    assigned = [entry for entry in audit.entries if entry.action == "missions.assign"]
    assert [(e.actor, e.target, e.detail) for e in assigned] == [
        (Actor.api_key("panel"), f"user:{ANA}", {"mission_id": "bienvenida-vip"})
    ]
    view = await modules.get(MissionsModule).missions.view(ANA)
    assert [s.definition.id for s in view.active] == ["bienvenida-vip"]
