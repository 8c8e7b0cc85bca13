"""The audit log plugged in: every admin action on record, ``yabot audit``, ``GET /api/v1/admin/audit``."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yabot_app.modules.plug import BuiltModules, HealthCheck, Kernel, ModulePlug
from yabot_core import audit
from yabot_core.audit import AuditLog

if TYPE_CHECKING:
    import click


@dataclass(frozen=True, slots=True)
class AuditModule:
    """The audit module's services."""

    log: AuditLog


class AuditPlug(ModulePlug[AuditModule]):
    """Who did what to whom: the modules that act for admins write here, in their own units of work."""

    manifest = audit.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> AuditModule:
        """The audit log over the configured storage."""
        storage = kernel.storage
        return AuditModule(
            AuditLog(storage.audit_queries, kernel.clock, kernel.ids, transactions=storage.transactions)
        )

    def health(self, services: AuditModule) -> Iterable[HealthCheck]:
        """The log can be read."""

        async def readable() -> None:
            await services.log.page(limit=1)

        yield HealthCheck("registro", readable)

    def api(self, services: AuditModule) -> Sequence[Any]:
        """``GET /api/v1/admin/audit`` (the ``admin`` scope)."""
        from yabot_adapters.http.controllers.audit import audit_controllers  # noqa: PLC0415  (Litestar)

        return audit_controllers(services.log)

    def commands(self) -> Sequence["click.Command"]:
        """``yabot audit`` (``list``)."""
        from yabot_app.cli.audit import audit_group  # noqa: PLC0415  (the CLI imports the registry)

        return [audit_group]


PLUG = AuditPlug()
