"""VIP subscriptions plugged in: plans from content, each fan's VIP, Lucien's vip variables, `yabot vip`."""

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.content import SHIPPED_PLANS
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import (
    AdminScreen,
    BotCommand,
    BotPart,
    BuiltModules,
    HandlerSpec,
    HealthCheck,
    Kernel,
    ModulePlug,
)
from yabot_app.modules.users import UsersModule
from yabot_core import subscriptions
from yabot_core.kernel import TimerFired, UnavailableError, UserId, timer_route
from yabot_core.subscriptions import (
    EXPIRY_TIMER,
    RECONCILE_TIMER,
    REMINDER_TIMER,
    SUBSCRIPTIONS_WRITE,
    ChannelRoll,
    Reconciliation,
    SubscriptionEvent,
    SubscriptionExpired,
    SubscriptionExtended,
    SubscriptionRefunded,
    SubscriptionRevoked,
    SubscriptionService,
    SubscriptionStarted,
    VipDoor,
    VipNotices,
    VipStatus,
    VipTokens,
    schedule_reconciliation,
)
from yabot_core.users import UserDirectory

if TYPE_CHECKING:
    import click

    from yabot_core.lucien import Lucien

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 300.0
"""Seconds between expiry sweeps, the safety net under the expiry timers (``SubscriptionService.sweep``)."""


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
    notices: VipNotices | None = None
    door: VipDoor | None = None
    """The VIP channel's door: only in a process that runs the bot, with ``YABOT_VIP_CHANNEL_ID`` set."""
    users: UserDirectory | None = None
    sweeper: "Sweeper | None" = None
    roll: ChannelRoll | None = None
    """Who the bot has seen in the VIP channel (kept wherever the door is)."""
    reconciliation: Reconciliation | None = None
    """Shows out members without VIP, every ``YABOT_VIP_RECONCILE_MINUTES``, where the door is."""
    reconcile_every: int = 3600
    """Seconds between reconciliations."""
    schedule: "Callable[[], Awaitable[None]] | None" = None
    """Schedules the next reconciliation (where the door is)."""

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
            queries=storage.vip_token_queries,
            subscriptions=service,
            audit=modules.get(AuditModule).log,
            clock=kernel.clock,
        )
        lucien = modules.get(LucienModule).lucien
        notices = VipNotices(service=service, lucien=lucien, clock=kernel.clock)
        users = modules.get(UsersModule).directory
        door = _door(kernel, service, lucien)
        roll = ChannelRoll(storage.transactions, storage.channel_member_queries, kernel.clock)
        every = kernel.settings.vip_reconcile_minutes * 60
        reconciliation = None
        schedule = None
        if door is not None:
            reconciliation = Reconciliation(
                roll, door, storage.transactions, modules.get(AuditModule).log, kernel.clock, kernel.ids
            )

            async def schedule() -> None:
                await storage.transactions.run(
                    lambda uow: schedule_reconciliation(uow, kernel.clock.now(), every)
                )

        return SubscriptionsModule(
            service,
            tokens,
            notices,
            door,
            users,
            Sweeper(service, SWEEP_INTERVAL),
            roll,
            reconciliation,
            every,
            schedule,
        )

    async def start(self, services: SubscriptionsModule) -> None:
        """Start the periodic expiry sweep; put the next reconciliation of the VIP channel on the timers."""
        if services.sweeper is not None:
            services.sweeper.start()
        if services.schedule is not None:
            await services.schedule()

    async def stop(self, services: SubscriptionsModule) -> None:
        """Stop the sweep."""
        if services.sweeper is not None:
            await services.sweeper.stop()

    def api(self, services: SubscriptionsModule) -> Sequence[Any]:
        """A fan's subscription; the admins' list of VIPs and grants in bulk."""
        from yabot_adapters.http.controllers.subscriptions import subscriptions_controllers  # noqa: PLC0415

        assert services.users is not None  # noqa: S101  (build sets it)
        return subscriptions_controllers(services.service, services.users)

    def scopes(self) -> Mapping[str, str]:
        """``subscriptions:write``: grant VIP through the API."""
        return {SUBSCRIPTIONS_WRITE: "Conceder VIP a usuarios por la API (en lote)."}

    def handlers(self, services: SubscriptionsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Expiry and reminders on their timers, Lucien's goodbye; the door, when the VIP channel is set."""
        service = services.service

        async def expire(event: TimerFired) -> None:
            await service.on_expiry_due(event)

        yield HandlerSpec(TimerFired, "subscriptions.expire", expire, route=timer_route(EXPIRY_TIMER))
        if services.notices is not None:
            yield HandlerSpec(
                TimerFired,
                "subscriptions.remind",
                services.notices.on_reminder_due,
                route=timer_route(REMINDER_TIMER),
            )
            yield HandlerSpec(SubscriptionExpired, "subscriptions.farewell", services.notices.on_expired)
        if kernel.settings.vip_channel_id is None:
            return
        door = services.door

        async def invite(event: SubscriptionStarted) -> None:
            await _needs(door).on_started(event)

        async def reinvite(event: SubscriptionExtended) -> None:
            await _needs(door).on_extended(event)

        async def show_out(event: SubscriptionEvent) -> None:
            await _needs(door).on_access_ended(event)

        yield HandlerSpec(SubscriptionStarted, "subscriptions.door_invite", invite, needs_telegram=True)
        yield HandlerSpec(SubscriptionExtended, "subscriptions.door_reinvite", reinvite, needs_telegram=True)
        reconciliation, schedule = services.reconciliation, services.schedule

        async def reconcile(_event: TimerFired) -> None:
            if reconciliation is None or schedule is None:  # declared, never subscribed, without the bot
                raise UnavailableError("La conciliación del canal VIP necesita el bot de Telegram.")
            await reconciliation.run()
            await schedule()

        yield HandlerSpec(
            TimerFired,
            "subscriptions.reconcile",
            reconcile,
            route=timer_route(RECONCILE_TIMER),
            needs_telegram=True,
        )
        for event, name in (
            (SubscriptionExpired, "expired"),
            (SubscriptionRevoked, "revoked"),
            (SubscriptionRefunded, "refunded"),
        ):
            yield HandlerSpec(event, f"subscriptions.door_remove_{name}", show_out, needs_telegram=True)

    def health(self, services: SubscriptionsModule) -> Iterable[HealthCheck]:
        """Subscriptions can be read."""

        async def readable() -> None:
            await services.service.status(UserId(1))

        yield HealthCheck("suscripciones", readable)

    def bot(self, services: SubscriptionsModule, kernel: Kernel) -> BotPart:
        """/vip and /canjear (plans, Stars invoices and payments, tokens); the VIP channel's door, if set."""
        from yabot_adapters.telegram.routers import (  # noqa: PLC0415  (aiogram when on)
            vip,
            vip_admin,
            vip_door,
            vip_tokens,
        )

        routers = [vip.setup(), vip_tokens.setup()]
        channel_id = kernel.settings.vip_channel_id
        if services.door is not None and services.roll is not None and channel_id is not None:
            routers.append(vip_door.setup(services.door, services.roll, channel_id))
        return BotPart(
            routers=routers,
            commands=[
                BotCommand("vip", "subscriptions-command-vip"),
                BotCommand("canjear", "subscriptions-command-canjear"),
            ],
            data={
                "subscriptions": services.service,
                "vip_tokens": services.tokens,
                "subscriptions_clock": kernel.clock,
            },
            admin_screens=[
                AdminScreen(
                    "subscriptions-admin-button-vip",
                    vip_admin.VipAdminScreen.ask,
                    [vip_admin.vip_dialog()],
                    order=20,
                ),
                AdminScreen(
                    "subscriptions-admin-button-tokens",
                    vip_admin.TokensScreen.listing,
                    [vip_admin.tokens_dialog()],
                    order=30,
                ),
            ],
        )

    def commands(self) -> Sequence["click.Command"]:
        """``yabot vip grant|revoke|status|list|plans|refund|tokens``."""
        from yabot_app.cli import vip_sales  # noqa: F401, PLC0415  (adds refund and tokens to the group)
        from yabot_app.cli.vip import vip_group  # noqa: PLC0415  (the CLI imports the registry)

        return [vip_group]


class Sweeper:
    """Runs ``service.sweep()`` now and every ``interval`` seconds until stopped; a failure is logged."""

    def __init__(self, service: SubscriptionService, interval: float) -> None:
        self._service = service
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sweeping in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="subscriptions-sweep")

    async def stop(self) -> None:
        """Stop sweeping (a sweep under way is cancelled: each expiry is its own unit of work)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                closed = await self._service.sweep()
            except Exception:
                log.exception("the expiry sweep failed; trying again in %s s", self._interval)
            else:
                if closed:
                    log.info("the expiry sweep closed %s subscriptions", closed)
            await asyncio.sleep(self._interval)


def _door(kernel: Kernel, service: SubscriptionService, lucien: "Lucien") -> VipDoor | None:
    settings = kernel.settings
    if not kernel.telegram or settings.vip_channel_id is None:
        return None
    from yabot_adapters.telegram.channel import TelegramVipChannel  # noqa: PLC0415  (aiogram only with the bot)

    return VipDoor(
        service=service,
        channel=TelegramVipChannel(kernel.bot, settings.vip_channel_id, kernel.outgoing),
        lucien=lucien,
        clock=kernel.clock,
        join_requests=settings.vip_join_requests,
        link_ttl=timedelta(hours=settings.vip_invite_hours),
    )


def _needs(door: VipDoor | None) -> VipDoor:
    if door is None:  # declared, never subscribed, where the bot does not run
        msg = "La puerta del canal VIP necesita el bot de Telegram."
        raise UnavailableError(msg)
    return door


PLUG = SubscriptionsPlug()
