"""The missions plugged in: their content, one event handler per event type they count, /misiones, the CLI."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.content import SHIPPED_MISSIONS
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_core import missions
from yabot_core.kernel import event_class
from yabot_core.missions import MISSIONS_WRITE, MissionCompleted, MissionNotices, Missions
from yabot_core.users import UserDirectory

if TYPE_CHECKING:
    import click

CELEBRATION_MAX_AGE = timedelta(days=1)
"""A celebration a day late is confusing, not kind: older ones are dropped."""


@dataclass(frozen=True, slots=True)
class MissionsModule:
    """The missions module's services."""

    missions: Missions
    users: UserDirectory
    notices: MissionNotices


class MissionsPlug(ModulePlug[MissionsModule]):
    """Missions from content, advanced by events, celebrated by Lucien."""

    manifest = missions.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> MissionsModule:
        """The catalog (shipped, then the creator's ``content/misiones.yaml``) and the service over storage.

        Raises:
            ContentError: the creator's file has problems; every one is listed, in Spanish, and YABOT does
                not start.
        """
        from yabot_adapters.content import load_mission_catalog  # noqa: PLC0415  (ruamel only when built)

        mochila = modules.get(InventoryModule).mochila
        settings = kernel.settings
        catalog = load_mission_catalog(SHIPPED_MISSIONS, settings.content_dir, mochila.catalog)
        storage = kernel.storage
        users = modules.get(UsersModule).directory
        service = Missions(
            storage.transactions,
            storage.mission_queries,
            users,
            modules.get(WalletModule).wallet,
            mochila,
            catalog=catalog,
            clock=kernel.clock,
            ids=kernel.ids,
            zone=settings.zone,
            audit=modules.get(AuditModule).log,
        )
        notices = MissionNotices(modules.get(LucienModule).lucien, catalog, mochila.catalog)
        return MissionsModule(missions=service, users=users, notices=notices)

    def handlers(self, services: MissionsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """One progress handler per event type the missions count or are given on; Lucien's celebration.

        Handler names follow the content (``missions.progress.daily_gift.claimed``): a type no mission
        names any more stops being routed to the missions.
        """
        for event_type in services.missions.catalog.event_types():
            yield HandlerSpec(
                event_class(event_type), f"missions.progress.{event_type}", services.missions.on_event
            )
        yield HandlerSpec(
            MissionCompleted,
            "missions.celebrate",
            services.notices.on_mission_completed,
            max_age=CELEBRATION_MAX_AGE,
            needs_telegram=True,
        )

    def bot(self, services: MissionsModule, kernel: Kernel) -> BotPart:
        """/misiones."""
        from yabot_adapters.telegram.routers import missions as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("misiones", "missions-command-misiones")],
            data={"missions": services.missions},
        )

    def api(self, services: MissionsModule) -> Sequence[Any]:
        """``GET /users/{id}/missions``, ``POST /admin/missions/assignments``."""
        from yabot_adapters.http.controllers.missions import (  # noqa: PLC0415
            mission_assignments_controller,
            missions_controller,
        )

        return [
            missions_controller(services.missions, services.users),
            mission_assignments_controller(services.missions),
        ]

    def scopes(self) -> Mapping[str, str]:
        """``missions:write``: give fans missions through the API."""
        return {MISSIONS_WRITE: "Asignar misiones a usuarios por la API."}

    def commands(self) -> Sequence["click.Command"]:
        """``yabot missions assign|list``."""
        from yabot_app.cli.missions import missions_group  # noqa: PLC0415  (the CLI imports the registry)

        return [missions_group]


PLUG = MissionsPlug()
