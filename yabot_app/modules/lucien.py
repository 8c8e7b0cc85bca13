"""Lucien plugged in: messages now or later, ``yabot lucien``.

A handler's dead letters are told to the admins by the operations module's alerts (once per handler).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yabot_app.modules.plug import BuiltModules, HandlerSpec, HealthCheck, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_core import lucien
from yabot_core.kernel import TimerFired, UserId, timer_route
from yabot_core.lucien import MESSAGE_TIMER, Lucien

if TYPE_CHECKING:
    import click


@dataclass(frozen=True, slots=True)
class LucienModule:
    """The lucien module's services."""

    lucien: Lucien


class LucienPlug(ModulePlug[LucienModule]):
    """The bot's voice: every message a fan receives outside a direct reply."""

    manifest = lucien.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> LucienModule:
        """Lucien over the configured storage, speaking through this process's messenger."""
        storage = kernel.storage
        return LucienModule(
            Lucien(
                transactions=storage.transactions,
                queries=storage.lucien_queries,
                users=modules.get(UsersModule).directory,
                messenger=kernel.messenger,
                phrasebook=kernel.phrasebook,
                context=kernel.context,
                clock=kernel.clock,
                ids=kernel.ids,
                admin_ids=[UserId(admin) for admin in kernel.settings.admin_ids],
            )
        )

    def handlers(self, services: LucienModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Scheduled messages when due."""
        yield HandlerSpec(
            TimerFired,
            "lucien.scheduled_message",
            services.lucien.on_message_due,
            route=timer_route(MESSAGE_TIMER),
            needs_telegram=True,
        )

    def health(self, services: LucienModule) -> Iterable[HealthCheck]:
        """Lucien's record can be read."""

        async def readable() -> None:
            await services.lucien.recent(limit=1)

        yield HealthCheck("mensajes", readable)

    def commands(self) -> Sequence["click.Command"]:
        """``yabot lucien send|cancel|list``."""
        from yabot_app.cli.lucien import lucien_group  # noqa: PLC0415  (the CLI imports the registry)

        return [lucien_group]


PLUG = LucienPlug()
