"""The daily gift route through Litestar's test client, on the product's own composition (memory storage)."""

from datetime import timedelta
from pathlib import Path

from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer
from yabot_app.container import build_container
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.daily_gift import DailyGiftModule
from yabot_app.modules.users import UsersModule
from yabot_app.settings import Settings
from yabot_core.apikeys import USERS_READ
from yabot_core.kernel import FakeClock, UserId
from yabot_core.users import UserProfile

ANA = UserId(11)


async def test_a_fan_s_gift_status_follows_the_claims(tmp_path: Path, clock: FakeClock) -> None:
    """Before a claim: claimable now; after: claimed, next at midnight; two days on: the streak is lost."""
    settings = Settings.model_validate(
        {"storage": "memory", "data_dir": tmp_path, "timezone": "Europe/Madrid"}
    )
    container = build_container(settings, clock=clock)
    modules = container.modules()
    reader = {"Authorization": await bearer(modules.get(ApiKeysModule).keys, "lector", USERS_READ)}
    await modules.get(UsersModule).directory.register(UserProfile(user_id=ANA, first_name="Ana"))
    route = f"/api/v1/users/{ANA}/daily-gift"

    async with AsyncTestClient(app=container.http_app()) as client:
        assert (await client.get(route)).status_code == 401
        assert (await client.get("/api/v1/users/5/daily-gift", headers=reader)).status_code == 404
        before = (await client.get(route, headers=reader)).json()
        await modules.get(DailyGiftModule).gift.claim(ANA)
        after = (await client.get(route, headers=reader)).json()
        clock.advance(timedelta(days=2))
        lapsed = (await client.get(route, headers=reader)).json()

    assert before == {
        "user_id": ANA,
        "claimed_today": False,
        "streak": 0,
        "next_at": "2026-01-01T12:00:00Z",
        "last_claim_day": None,
        "last_claim_besitos": None,
    }
    assert (after["claimed_today"], after["streak"], after["last_claim_day"]) == (True, 1, "2026-01-01")
    assert after["next_at"] == "2026-01-01T23:00:00Z"  # midnight in Madrid
    assert after["last_claim_besitos"] >= 5  # the shipped streak's first day, plus any surprise
    assert (lapsed["claimed_today"], lapsed["streak"]) == (False, 0)
