"""Lucien knows a fan's VIP: ``vip_hasta`` and ``vip_dias`` in every text, from the subscriptions module."""

from datetime import timedelta
from pathlib import Path

from yabot_app.container import build_container
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.settings import Settings
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId

ANA = UserId(11)


async def test_lucien_can_say_until_when_a_fan_is_vip(tmp_path: Path) -> None:
    """A VIP's last day (in the configured zone) and days left; a fan without VIP gets empty and 0."""
    clock = FakeClock()
    values = {"storage": "memory", "data_dir": tmp_path, "timezone": "Europe/Madrid"}
    settings = Settings.model_validate(values)
    container = build_container(settings, clock=clock)
    modules, context = container.modules(), container.kernel().context
    assert {"vip_hasta", "vip_dias"} <= context.names()
    assert await context.variables(ANA) == {"saldo": 0, "vip_hasta": "", "vip_dias": 0}

    service = modules.get(SubscriptionsModule).service
    await service.grant(ANA, days=30, actor=Actor.operator("diana"), idempotency_key="g")
    clock.advance(timedelta(hours=1))
    variables = await context.variables(ANA)
    assert (variables["vip_hasta"], variables["vip_dias"]) == ("31/01/2026", 30)
    assert modules.get(SubscriptionsModule).vip is service.vip
