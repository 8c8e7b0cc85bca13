"""``/metrics``: YABOT's Prometheus series exist and move as the bot, the API, the bus and timers work."""

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY

from tests.integration.telegram_world import ANA, World
from yabot_adapters import metrics
from yabot_adapters.http import create_app
from yabot_adapters.telegram.testing import FakeTelegramServer
from yabot_core.kernel import FakeClock
from yabot_core.wallet import ADMIN_GRANT


@pytest.fixture(name="world")
async def world_fixture(clock: FakeClock, server: FakeTelegramServer) -> AsyncIterator[World]:
    world = World(clock, server, admin_ids=[1001])
    await world.start_polling()
    try:
        yield world
    finally:
        await world.close()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def http_count(path: str) -> float:
    return sum(
        s.value
        for metric in REGISTRY.collect()
        if metric.name == "yabot_http_request_duration_seconds"
        for s in metric.samples
        if s.name.endswith("_count") and s.labels.get("path") == path
    )


async def test_series_exist_and_move(world: World, clock: FakeClock) -> None:
    """Updates per router, storage, events per handler and their latency, timers, HTTP per route all count."""
    before = {
        "update": sample("yabot_telegram_update_seconds_count", router="start", update_type="message"),
        "tx": sample("yabot_storage_operation_seconds_count", operation="transaction"),
        "published": sample("yabot_events_published_total", event_type="besitos.awarded"),
        "handled": sample("yabot_events_handled_total", handler="wallet.grant_notice"),
        "latency": sample("yabot_event_latency_seconds_count", handler="wallet.grant_notice"),
        "fired": sample("yabot_timers_fired_total", kind="lucien.message"),
        "sent": sample("yabot_telegram_requests_total", method="SendMessage", outcome="ok"),
        "besitos": http_count("/api/v1/users/{user_id}/besitos"),
    }
    await world.say("/start")
    await world.wallet.credit(ANA, 5, ADMIN_GRANT, idempotency_key="metrics")
    await world.bus.deliver_pending()
    await world.lucien.schedule_text(ANA, "Un recado", at=clock.now())
    assert await world.container.ticker().fire_due() >= 1
    metrics.broadcast_progress(pending=3, sent=5, failed=1)
    await world.container.monitor().check()

    app = create_app(  # the world's own dispatcher is built: the API without the polling's readiness
        authenticator=world.container.api_authenticator(), route_handlers=world.container.modules().api()
    )
    async with AsyncTestClient(app=app) as client:
        for user in ("1", "2", "77"):  # three URLs, one route: one series
            await client.get(f"/api/v1/users/{user}/besitos")
        response = await client.get("/metrics")

    assert response.status_code == 200
    text = response.text
    assert (
        sample("yabot_telegram_update_seconds_count", router="start", update_type="message")
        > before["update"]
    )
    assert sample("yabot_storage_operation_seconds_count", operation="transaction") > before["tx"]
    assert sample("yabot_events_published_total", event_type="besitos.awarded") > before["published"]
    assert sample("yabot_events_handled_total", handler="wallet.grant_notice") > before["handled"]
    assert sample("yabot_event_latency_seconds_count", handler="wallet.grant_notice") > before["latency"]
    assert sample("yabot_timers_fired_total", kind="lucien.message") > before["fired"]
    assert sample("yabot_telegram_requests_total", method="SendMessage", outcome="ok") > before["sent"]
    assert http_count("/api/v1/users/{user_id}/besitos") == before["besitos"] + 3
    assert sample("yabot_broadcast_messages", state="sent") == 5
    for series in (
        "yabot_http_request_duration_seconds_bucket",
        "yabot_telegram_update_seconds_bucket",
        'yabot_storage_operation_seconds_bucket{le="0.1",operation="transaction"}',
        'yabot_event_latency_seconds_bucket{handler="wallet.grant_notice",le="0.5"}',
        "yabot_timer_fire_lag_seconds_bucket",
        "yabot_outbox_depth",
        "yabot_timers_due",
        "yabot_dead_letters",
        'yabot_breaker_open{breaker="almacenamiento"}',
        "yabot_alerts_open",
    ):
        assert series in text, series
    assert "/api/v1/users/77/besitos" not in text  # labels are bounded: templates, never URLs or user ids
