"""The logros route through Litestar's test client, on the product's own composition (memory storage)."""

from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer
from yabot_app.container import build_container
from yabot_app.modules.achievements import AchievementsModule
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.users import UsersModule
from yabot_app.settings import Settings
from yabot_core.apikeys import USERS_READ
from yabot_core.kernel import EventId, UserId
from yabot_core.reactions import ReactionDetected
from yabot_core.users import UserProfile

ANA = UserId(11)


async def test_a_fan_s_logros_are_served_unlocked_and_upcoming(tmp_path: Path) -> None:
    """A first reaction unlocks «primera-reaccion»; the rest come with their progress; 401, 404 as usual."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    modules = container.modules()
    reader = await bearer(modules.get(ApiKeysModule).keys, "lector", USERS_READ)
    await modules.get(UsersModule).directory.register(UserProfile(user_id=ANA, first_name="Ana"))
    reacted = ReactionDetected(
        event_id=EventId("r1"),
        occurred_at=datetime(2026, 1, 31, 18, 30, tzinfo=UTC),
        correlation_id="c",
        user_id=ANA,
        chat_id=-100,
        message_id=1,
        emoji="❤️",
        source="canal",
        besitos=1,
    )
    await modules.get(AchievementsModule).achievements.on_event(reacted)

    async with AsyncTestClient(app=container.http_app()) as client:
        anonymous = await client.get(f"/api/v1/users/{ANA}/achievements")
        unknown = await client.get("/api/v1/users/5/achievements", headers={"Authorization": reader})
        response = await client.get(f"/api/v1/users/{ANA}/achievements", headers={"Authorization": reader})

    assert anonymous.status_code == 401
    assert (unknown.status_code, unknown.json()["code"]) == (404, "usuario_no_encontrado")
    body = response.json()
    assert [(a["achievement_id"], a["progress"], a["target"]) for a in body["unlocked"]] == [
        ("primera-reaccion", 1, 1)
    ]
    assert body["unlocked"][0]["unlocked_at"] is not None
    assert [(a["achievement_id"], a["progress"], a["target"]) for a in body["upcoming"]] == [
        ("diez-reacciones", 1, 10),
        ("primera-mision", 0, 1),
        ("semana-de-regalos", 0, 7),
        ("final-de-historia", 0, 1),
        ("primera-compra", 0, 1),
    ]
    assert body["upcoming"][0]["reward_item_id"] == "rosa-roja"
