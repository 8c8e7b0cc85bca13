"""The logros plugged in: their content, one counting handler per event type they name, /logros, the API."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from yabot_app.content import SHIPPED_CONTENT
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_core import achievements
from yabot_core.achievements import AchievementNotices, Achievements, AchievementUnlocked
from yabot_core.kernel import event_class
from yabot_core.users import UserDirectory

SHIPPED_ACHIEVEMENTS: Final = SHIPPED_CONTENT / "achievements.yaml"
"""The shipped logros (reactions, a first mission, a week of daily gifts, a story's end)."""

CELEBRATION_MAX_AGE: Final = timedelta(days=1)
"""A celebration a day late is confusing, not kind: older ones are dropped."""


@dataclass(frozen=True, slots=True)
class AchievementsModule:
    """The logros module's services."""

    achievements: Achievements
    users: UserDirectory
    notices: AchievementNotices


class AchievementsPlug(ModulePlug[AchievementsModule]):
    """Logros from content, counted from events, celebrated by Lucien."""

    manifest = achievements.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> AchievementsModule:
        """The catalog (shipped, then the creator's ``content/logros.yaml``) and the service over storage.

        Raises:
            ContentError: the creator's file has problems; every one is listed, in Spanish, and YABOT does
                not start.
        """
        from yabot_adapters.content.achievements import load_achievement_catalog  # noqa: PLC0415  (ruamel only when built)

        mochila = modules.get(InventoryModule).mochila
        catalog = load_achievement_catalog(SHIPPED_ACHIEVEMENTS, kernel.settings.content_dir, mochila.catalog)
        storage = kernel.storage
        users = modules.get(UsersModule).directory
        service = Achievements(
            storage.transactions,
            storage.achievement_queries,
            modules.get(WalletModule).wallet,
            mochila,
            catalog=catalog,
            clock=kernel.clock,
            ids=kernel.ids,
        )
        notices = AchievementNotices(modules.get(LucienModule).lucien, catalog, mochila.catalog)
        return AchievementsModule(achievements=service, users=users, notices=notices)

    def handlers(self, services: AchievementsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """One counting handler per event type the logros name; Lucien's celebration.

        Handler names follow the content (``achievements.count.reactions.detected``): a type no logro names
        any more stops being routed to the logros.
        """
        for event_type in services.achievements.catalog.event_types():
            yield HandlerSpec(
                event_class(event_type), f"achievements.count.{event_type}", services.achievements.on_event
            )
        yield HandlerSpec(
            AchievementUnlocked,
            "achievements.celebrate",
            services.notices.on_achievement_unlocked,
            max_age=CELEBRATION_MAX_AGE,
            needs_telegram=True,
        )

    def bot(self, services: AchievementsModule, kernel: Kernel) -> BotPart:
        """/logros."""
        from yabot_adapters.telegram.routers import achievements as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("logros", "achievements-command-logros")],
            data={"achievements": services.achievements},
        )

    def api(self, services: AchievementsModule) -> Sequence[Any]:
        """``GET /users/{id}/achievements``."""
        from yabot_adapters.http.controllers.achievements import achievements_controller  # noqa: PLC0415

        return [achievements_controller(services.achievements, services.users)]


PLUG = AchievementsPlug()
