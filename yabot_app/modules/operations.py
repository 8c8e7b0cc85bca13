"""Operations plugged in: scheduled backups, the daily reconciliation, their ``yabot`` commands."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.plug import BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_core import operations
from yabot_core.kernel import Clock, EventStamper, TimerFired, Transactions, UnavailableError, timer_route
from yabot_core.operations import (
    BACKUP_TIMER,
    RECONCILE_EVERY,
    RECONCILE_TIMER,
    DataInconsistencyDetected,
    Reconciliation,
    StorageSnapshots,
    schedule_slot,
)

if TYPE_CHECKING:
    import click

    from yabot_adapters.backups import TakenBackup
    from yabot_adapters.storage import StorageUnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OperationsModule:
    """The operations module's services: the reconciliation, and backups where the storage outlives us."""

    reconciliation: Reconciliation
    snapshots: StorageSnapshots | None
    transactions: "Transactions[StorageUnitOfWork]"
    clock: Clock
    backup_dir: Path
    backup_keep: int
    backup_every: int
    """Seconds between automatic backups; 0: none."""
    reconcile_every: int = RECONCILE_EVERY
    """Seconds between automatic reconciliations; 0: none."""

    async def backup(self, directory: Path | None = None, *, keep: int | None = None) -> "TakenBackup":
        """Take a backup now into ``directory`` (the configured one by default), keeping ``keep`` archives.

        Raises:
            UnavailableError: the storage keeps nothing to back up (memory), or did not answer.
        """
        from yabot_adapters.backups import take_backup  # noqa: PLC0415  (tarfile only when backing up)

        if self.snapshots is None:
            raise UnavailableError("Con YABOT_STORAGE=memory no hay datos que copiar.")
        return await take_backup(self.snapshots, directory or self.backup_dir, self.clock.now(), keep=keep)

    async def schedule(self) -> None:
        """Put the next backup slot (if any) and the next daily reconciliation on the durable timers."""

        async def work(uow: "StorageUnitOfWork") -> None:
            now = self.clock.now()
            if self.reconcile_every:
                await schedule_slot(uow, RECONCILE_TIMER, now, self.reconcile_every)
            if self.backup_every and self.snapshots is not None:
                await schedule_slot(uow, BACKUP_TIMER, now, self.backup_every)

        await self.transactions.run(work)


class OperationsPlug(ModulePlug[OperationsModule]):
    """Backups on a schedule and the reconciliation of derived data (ledgers against balances)."""

    manifest = operations.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> OperationsModule:
        """The reconciliation over the storage's audits; backups for SQLite and MongoDB."""
        from yabot_adapters.backups import snapshots_for  # noqa: PLC0415  (keeps `yabot --help` quick)

        storage = kernel.storage
        settings = kernel.settings
        reconciliation = Reconciliation(
            storage.transactions,
            modules.get(AuditModule).log,
            EventStamper(kernel.clock, kernel.ids),
            wallet_audit=storage.wallet_audit,
            inventory_audit=storage.inventory_audit,
            subscription_audit=storage.subscription_audit,
        )
        return OperationsModule(
            reconciliation=reconciliation,
            snapshots=snapshots_for(storage),
            transactions=storage.transactions,
            clock=kernel.clock,
            backup_dir=settings.backups_dir,
            backup_keep=settings.backup_keep,
            backup_every=settings.backup_hours * 3600,
            reconcile_every=settings.reconcile_hours * 3600,
        )

    def handlers(self, services: OperationsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """A backup on each slot's timer, the reconciliation on the daily one; findings to the log.

        Each timer's handler schedules the next slot; every finding, wherever the reconciliation ran (a
        timer, ``yabot reconcile``), reaches the log of a serving process through the outbox.
        """

        async def backup(_event: TimerFired) -> None:
            if services.snapshots is not None and services.backup_every:
                taken = await services.backup(keep=services.backup_keep)
                log.info("Backup taken: %s (%d old ones removed)", taken.path, len(taken.pruned))
            await services.schedule()

        async def reconcile(_event: TimerFired) -> None:
            await services.reconciliation.run()  # each finding is published, and logged below
            await services.schedule()

        async def inconsistency(event: DataInconsistencyDetected) -> None:
            log.warning("Inconsistency (%s), %s: %s", event.check, event.subject, event.description)

        yield HandlerSpec(TimerFired, "operations.backup", backup, route=timer_route(BACKUP_TIMER))
        yield HandlerSpec(TimerFired, "operations.reconcile", reconcile, route=timer_route(RECONCILE_TIMER))
        yield HandlerSpec(DataInconsistencyDetected, "operations.log_inconsistency", inconsistency)

    def commands(self) -> Sequence["click.Command"]:
        """``yabot backup`` (and ``backup verify``), ``yabot restore``, ``yabot reconcile``."""
        from yabot_app.cli.backup import backup_group, reconcile, restore  # noqa: PLC0415  (CLI imports us)

        return [backup_group, restore, reconcile]

    async def start(self, services: OperationsModule) -> None:
        """Schedule the next backup and reconciliation (one timer per slot, whatever the processes)."""
        await services.schedule()


PLUG = OperationsPlug()
