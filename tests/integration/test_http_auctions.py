"""Auctions and trivia over HTTP, through Litestar's test client on the product's own composition (memory)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar.testing import AsyncTestClient

from tests.integration.http_apps import bearer
from yabot_app.container import build_container
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.auctions import AuctionsModule
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.wallet import WalletModule
from yabot_app.settings import Settings
from yabot_core.apikeys import ADMIN
from yabot_core.auctions import AUCTIONS_READ
from yabot_core.kernel import UserId
from yabot_core.wallet import ADMIN_GRANT

ANA = UserId(11)


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def test_admins_create_list_and_cancel_auctions_fans_see_the_cards(tmp_path: Path) -> None:
    """Create (201), a refused one (400, nothing kept), the cards, cancel (refund), 404, 401."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    modules = container.modules()
    keys = modules.get(ApiKeysModule).keys
    admin = {"Authorization": await bearer(keys, "admin", ADMIN)}
    reader = {"Authorization": await bearer(keys, "lector", AUCTIONS_READ)}
    await modules.get(WalletModule).wallet.credit(ANA, 50, ADMIN_GRANT, idempotency_key="fondos")
    auctions = modules.get(AuctionsModule).auctions

    async with AsyncTestClient(app=container.http_app()) as client:
        created = await client.post(
            "/api/v1/admin/auctions",
            json={"item_id": "llave-dorada", "ends_at": later(2), "minimum_bid": 10, "increment": 5},
            headers=admin,
        )
        refused = await client.post(
            "/api/v1/admin/auctions",
            json={"item_id": "no-existe", "ends_at": later(2), "minimum_bid": 10},
            headers=admin,
        )
        auction_id = created.json()["auction_id"]
        await auctions.bid(auction_id, ANA, 30, request_key="t1")
        cards = await client.get("/api/v1/auctions", headers=reader)
        anonymous = await client.get("/api/v1/auctions")
        as_reader = await client.post(f"/api/v1/admin/auctions/{auction_id}/cancel", headers=reader)
        cancelled = await client.post(f"/api/v1/admin/auctions/{auction_id}/cancel", headers=admin)
        missing = await client.post("/api/v1/admin/auctions/nope/cancel", headers=admin)
        listed = await client.get("/api/v1/admin/auctions?status=cancelled", headers=admin)
        after = await client.get("/api/v1/auctions", headers=reader)

    assert created.status_code == 201, created.text
    assert (created.json()["item_name"], created.json()["phase"]) == ("Llave dorada", "open")
    assert (refused.status_code, refused.json()["code"]) == (400, "entrada_invalida")
    assert "no está en el catálogo" in refused.json()["message"]
    assert len(await auctions.list()) == 1
    (card,) = cards.json()["auctions"]
    assert (card["current_bid"], card["next_minimum"], card["bids"]) == (30, 35, 1)
    assert "leader_id" not in card
    assert anonymous.status_code == 401
    assert as_reader.status_code == 403
    assert cancelled.status_code == 200
    assert cancelled.json()["phase"] == "cancelled"
    assert (missing.status_code, missing.json()["code"]) == (404, "subasta_no_encontrada")
    assert [a["auction_id"] for a in listed.json()["auctions"]] == [auction_id]
    assert after.json()["auctions"] == []
    assert (await modules.get(WalletModule).wallet.balance(ANA)).balance == 50
    logged = (await modules.get(AuditModule).log.page(target=f"subasta:{auction_id}")).entries
    assert sorted((entry.action, entry.actor.name) for entry in logged) == [
        ("auctions.cancel", "admin"),
        ("auctions.create", "admin"),
    ]


async def test_admins_create_trivia_series_and_read_results(tmp_path: Path) -> None:
    """A series of two (201), a bad series (400, naming the question, none kept), results, cancel, 404."""
    container = build_container(Settings.model_validate({"storage": "memory", "data_dir": tmp_path}))
    keys = container.modules().get(ApiKeysModule).keys
    admin = {"Authorization": await bearer(keys, "admin", ADMIN)}
    one = {
        "text": "¿Qué flor prefiere Diana?",
        "options": ["La rosa", "El lirio"],
        "correct_option": 0,
        "reward": 5,
        "closes_at": later(1),
    }
    two = {**one, "text": "¿Y qué perfume?", "correct_option": 1}

    async with AsyncTestClient(app=container.http_app()) as client:
        bad = await client.post(
            "/api/v1/admin/trivia", json={"questions": [one, {**two, "correct_option": 7}]}, headers=admin
        )
        naive = await client.post(
            "/api/v1/admin/trivia",
            json={"questions": [{**one, "closes_at": "2030-01-01T10:00:00"}]},
            headers=admin,
        )
        made = await client.post("/api/v1/admin/trivia", json={"questions": [one, two]}, headers=admin)
        first = made.json()["questions"][0]["question_id"]
        results = await client.get(f"/api/v1/admin/trivia/{first}/results", headers=admin)
        cancelled = await client.post(f"/api/v1/admin/trivia/{first}/cancel", headers=admin)
        missing = await client.get("/api/v1/admin/trivia/nope/results", headers=admin)
        listed = await client.get("/api/v1/admin/trivia", headers=admin)

    assert (bad.status_code, bad.json()["code"]) == (400, "entrada_invalida")
    assert bad.json()["message"].startswith("Pregunta 2: ")
    assert naive.status_code == 400
    assert made.status_code == 201, made.text
    series = {q["series_id"] for q in made.json()["questions"]}
    assert len(series) == 1
    assert None not in series
    assert (results.status_code, results.json()["answers"], results.json()["per_option"]) == (200, 0, [0, 0])
    assert cancelled.json()["status"] == "cancelled"
    assert (missing.status_code, missing.json()["code"]) == (404, "pregunta_no_encontrada")
    assert len(listed.json()["questions"]) == 2
