"""VIP subscriptions plugged in: plans from content, each fan's VIP, Lucien's vip variables, `yabot vip`."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from yabot_app.content import SHIPPED_PLANS
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HealthCheck, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_core import subscriptions
from yabot_core.kernel import UserId
from yabot_core.subscriptions import SubscriptionService, VipStatus, VipTokens

if TYPE_CHECKING:
    import click

VIP_UNTIL = "vip_hasta"
"""Lucien's variable: the last day of the fan's VIP (``24/12/2026``), or empty when they are not VIP."""
VIP_DAYS = "vip_dias"
"""Lucien's variable: whole days of VIP left, counting today's (0 when not VIP): texts can pick on it."""


@dataclass(frozen=True, slots=True)
class SubscriptionsModule:
    """The subscriptions module's services."""

    service: SubscriptionService
    tokens: VipTokens
    """VIP tokens: made by admins, redeemed by fans (``/canjear``, or the code's deep link)."""

    @property
    def vip(self) -> VipStatus:
        """The "is this fan VIP?" port other modules build on."""
        return self.service.vip


class SubscriptionsPlug(ModulePlug[SubscriptionsModule]):
    """VIP: plans, grants and revocations, the history, and the port every VIP gate asks."""

    manifest = subscriptions.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> SubscriptionsModule:
        """The plans (shipped, then the creator's ``content/planes.yaml``) and the service over storage.

        Raises:
            ContentError: the creator's plans file has problems; every one is listed, in Spanish, and YABOT
                does not start (``yabot`` prints them as ``Error: …``).
        """
        from yabot_adapters.content import load_plan_catalog  # noqa: PLC0415  (ruamel only when built)

        storage = kernel.storage
        service = SubscriptionService(
            transactions=storage.transactions,
            queries=storage.subscription_queries,
            users=modules.get(UsersModule).directory,
            audit=modules.get(AuditModule).log,
            plans=load_plan_catalog(SHIPPED_PLANS, kernel.settings.content_dir),
            clock=kernel.clock,
            ids=kernel.ids,
        )
        zone = kernel.settings.zone

        async def variables(user_id: UserId) -> Mapping[str, object]:
            until = await service.vip.vip_until(user_id)
            if until is None:
                return {VIP_UNTIL: "", VIP_DAYS: 0}
            left = (until - kernel.clock.now()) / timedelta(days=1)
            return {VIP_UNTIL: until.astimezone(zone).strftime("%d/%m/%Y"), VIP_DAYS: math.ceil(left)}

        kernel.context.add([VIP_UNTIL, VIP_DAYS], variables)
        tokens = VipTokens(
            transactions=storage.transactions,
            subscriptions=service,
            audit=modules.get(AuditModule).log,
            clock=kernel.clock,
        )
        return SubscriptionsModule(service, tokens)

    def health(self, services: SubscriptionsModule) -> Iterable[HealthCheck]:
        """Subscriptions can be read."""

        async def readable() -> None:
            await services.service.status(UserId(1))

        yield HealthCheck("suscripciones", readable)

    def bot(self, services: SubscriptionsModule, kernel: Kernel) -> BotPart:
        """/vip and /canjear: the fan's VIP and the plans, Stars invoices and payments, VIP tokens."""
        from yabot_adapters.telegram.routers import vip, vip_tokens  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[vip.setup(), vip_tokens.setup()],
            commands=[
                BotCommand("vip", "subscriptions-command-vip"),
                BotCommand("canjear", "subscriptions-command-canjear"),
            ],
            data={"subscriptions": services.service, "vip_tokens": services.tokens},
        )

    def commands(self) -> Sequence["click.Command"]:
        """``yabot vip grant|revoke|status|list|plans|refund|tokens``."""
        from yabot_app.cli import vip_sales  # noqa: F401, PLC0415  (adds refund and tokens to the group)
        from yabot_app.cli.vip import vip_group  # noqa: PLC0415  (the CLI imports the registry)

        return [vip_group]


PLUG = SubscriptionsPlug()
