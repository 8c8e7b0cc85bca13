"""Administration plugged in: the admins' gate, their statistics and dead letters, the ``/admin`` screens."""

from dataclasses import dataclass

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.plug import AdminScreen, BotPart, BuiltModules, Kernel, ModulePlug
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core import admin
from yabot_core.admin import AdminGate, Dashboard, DeadLetterDesk
from yabot_core.subscriptions import VipStatistics


@dataclass(frozen=True, slots=True)
class AdminModule:
    """The admin module's services."""

    gate: AdminGate
    dashboard: Dashboard
    desk: DeadLetterDesk


class AdminPlug(ModulePlug[AdminModule]):
    """Who the admins are (``YABOT_ADMIN_IDS``), what they see (statistics, what is due), dead letters.

    Its screens open the ``/admin`` menu; other modules add theirs through :attr:`BotPart.admin_screens`.
    """

    manifest = admin.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> AdminModule:
        """The gate over the configured admins, the dashboard over every module's queries."""
        storage = kernel.storage
        audit = modules.get(AuditModule).log
        subscriptions = modules.get(SubscriptionsModule).service
        desk = DeadLetterDesk(storage.dead_letter_queries, audit)
        vip = VipStatistics(
            storage.subscription_queries, storage.subscription_audit, subscriptions.plans, kernel.clock
        )
        dashboard = Dashboard(storage.user_queries, storage.wallet_queries, vip, desk, storage.timer_store)
        return AdminModule(AdminGate(kernel.settings.admin_ids, audit), dashboard, desk)

    def bot(self, services: AdminModule, kernel: Kernel) -> BotPart:
        """Statistics, dead letters and what is coming up, as the first screens of ``/admin``."""
        from yabot_adapters.telegram.admin import dashboard  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=(),
            data={
                "admin_gate": services.gate,
                "admin_dashboard": services.dashboard,
                "dead_letter_desk": services.desk,
            },
            admin_screens=[
                AdminScreen(
                    "admin-button-statistics",
                    dashboard.StatisticsScreen.main,
                    [dashboard.statistics_dialog()],
                    order=10,
                ),
                AdminScreen(
                    "admin-button-dead-letters",
                    dashboard.DeadLettersScreen.listing,
                    [dashboard.dead_letters_dialog()],
                    order=80,
                ),
                AdminScreen(
                    "admin-button-upcoming",
                    dashboard.UpcomingScreen.main,
                    [dashboard.upcoming_dialog()],
                    order=90,
                ),
            ],
        )


PLUG = AdminPlug()
