"""Operations plugged in: backups, the daily reconciliation, the admins' alerts, their ``yabot`` commands."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from yabot_app.alerting import notice_text, tell_admins, waiting_text
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.plug import BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_core import operations
from yabot_core.kernel import (
    Clock,
    DeadLetterQueries,
    EventProcessingFailed,
    EventStamper,
    TimerFired,
    Transactions,
    UnavailableError,
    UserId,
    timer_route,
)
from yabot_core.operations import (
    ALERT_REMINDER,
    BACKUP_TIMER,
    DEAD_LETTERS_PREFIX,
    MOCHILA_MOVEMENTS,
    RECONCILE_EVERY,
    RECONCILE_TIMER,
    STORE_PURCHASES,
    SUBSCRIPTION_HISTORY,
    VIP_TIMERS,
    WALLET_LEDGER,
    AlertRaised,
    AlertReminded,
    AlertResolved,
    Alerts,
    DataInconsistencyDetected,
    Problem,
    Reconciliation,
    StorageSnapshots,
    dead_letters_problem,
    schedule_slot,
)

if TYPE_CHECKING:
    import click

    from yabot_adapters.backups import TakenBackup
    from yabot_adapters.storage import StorageUnitOfWork

log = logging.getLogger(__name__)

CHECKS = (WALLET_LEDGER, MOCHILA_MOVEMENTS, STORE_PURCHASES, SUBSCRIPTION_HISTORY, VIP_TIMERS)
"""Every check the reconciliation runs: one it finds nothing for closes its open alert."""
INCONSISTENCY = "inconsistencia"
ALERT_MAX_AGE = timedelta(days=1)
"""An alert not delivered within a day (Telegram away all that time) is dropped: the next look raises anew."""
_SCAN = 1000


def inconsistency_key(check: str) -> str:
    """The problem key of a reconciliation check's findings (one alert per check, not per finding)."""
    return f"{INCONSISTENCY}:{check}"


@dataclass(frozen=True, slots=True)
class OperationsModule:
    """The operations module's services: the reconciliation, and backups where the storage outlives us."""

    reconciliation: Reconciliation
    alerts: Alerts
    dead_letters: DeadLetterQueries
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
    """Backups on a schedule and the reconciliation of derived data (balances, counters, subscriptions)."""

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
            store_audit=storage.store_audit,
            timers=storage.timer_store,
            clock=kernel.clock,
        )
        return OperationsModule(
            reconciliation=reconciliation,
            alerts=Alerts(
                storage.transactions,
                storage.timer_store,
                kernel.clock,
                EventStamper(kernel.clock, kernel.ids),
            ),
            dead_letters=storage.dead_letter_queries,
            snapshots=snapshots_for(storage),
            transactions=storage.transactions,
            clock=kernel.clock,
            backup_dir=settings.backups_dir,
            backup_keep=settings.backup_keep,
            backup_every=settings.backup_hours * 3600,
            reconcile_every=settings.reconcile_hours * 3600,
        )

    def handlers(self, services: OperationsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """A backup on each slot's timer, the reconciliation on the daily one; findings, dead letters alerted.

        Each timer's handler schedules the next slot; every finding, wherever the reconciliation ran (a
        timer, ``yabot reconcile``), reaches the log of a serving process through the outbox. A handler's
        first dead letter opens its problem (the monitor closes it once none of its dead letters waits).
        """

        async def backup(_event: TimerFired) -> None:
            if services.snapshots is not None and services.backup_every:
                taken = await services.backup(keep=services.backup_keep)
                log.info("Backup taken: %s (%d old ones removed)", taken.path, len(taken.pruned))
            await services.schedule()

        async def reconcile(_event: TimerFired) -> None:
            report = await services.reconciliation.run()  # each finding is published, handled below
            found = {finding.check for finding in report.findings}
            for check in CHECKS:
                if check not in found:
                    await services.alerts.resolve(inconsistency_key(check))
            await services.schedule()

        async def inconsistency(event: DataInconsistencyDetected) -> None:
            log.warning("Inconsistency (%s), %s: %s", event.check, event.subject, event.description)
            args: dict[str, str | int] = {"comprobacion": event.check, "detalle": event.description}
            problem = Problem(
                key=inconsistency_key(event.check), message="operations-problem-inconsistency", args=args
            )
            await services.alerts.raise_problem(problem)  # the first finding of a check alerts; the rest wait

        async def dead_letter(event: EventProcessingFailed) -> None:
            letter = await services.dead_letters.get(event.dead_letter_id)
            if letter is None or letter.replayed_at is not None:
                return  # replayed before this was delivered: nothing to tell
            await services.alerts.raise_problem(dead_letters_problem(letter))  # its handler's next ones wait

        admins = [UserId(admin) for admin in kernel.settings.admin_ids]

        async def alert_admins(event: AlertRaised | AlertReminded | AlertResolved) -> None:
            text = notice_text(kernel.phrasebook, event)
            handler = event.problem.key.removeprefix(DEAD_LETTERS_PREFIX)
            if isinstance(event, AlertReminded) and handler != event.problem.key:
                waiting = await services.dead_letters.list(limit=_SCAN)
                count = sum(1 for letter in waiting if letter.handler == handler)
                text = f"{text}\n\n{waiting_text(kernel.phrasebook, count)}"
            await tell_admins(kernel.messenger, admins, text)

        yield HandlerSpec(TimerFired, "operations.backup", backup, route=timer_route(BACKUP_TIMER))
        yield HandlerSpec(TimerFired, "operations.reconcile", reconcile, route=timer_route(RECONCILE_TIMER))
        yield HandlerSpec(DataInconsistencyDetected, "operations.log_inconsistency", inconsistency)
        yield HandlerSpec(EventProcessingFailed, "operations.dead_letter_alert", dead_letter)
        yield HandlerSpec(
            TimerFired, "operations.alert_reminder", services.alerts.remind, route=timer_route(ALERT_REMINDER)
        )
        for notice, name in (
            (AlertRaised, "operations.alert_raised"),
            (AlertReminded, "operations.alert_reminded"),
            (AlertResolved, "operations.alert_resolved"),
        ):
            yield HandlerSpec(notice, name, alert_admins, max_age=ALERT_MAX_AGE, needs_telegram=True)

    def commands(self) -> Sequence["click.Command"]:
        """``yabot backup`` (and ``backup verify``), ``yabot restore``, ``yabot reconcile``."""
        from yabot_app.cli.backup import backup_group, reconcile, restore  # noqa: PLC0415  (CLI imports us)

        return [backup_group, restore, reconcile]

    async def report(self, services: OperationsModule, kernel: Kernel) -> Sequence[str]:
        """The breakers and the problems the admins were told of and not yet told are over; the last backup.

        The breakers are read from the stored alerts: a shell cannot see a serving process's memory.
        """
        from yabot_app.monitor import BREAKER_PROBLEMS  # noqa: PLC0415  (keeps `yabot --help` quick)

        opened = await services.alerts.open_problems()
        by_key = {problem.problem.key: problem for problem in opened}
        breakers = []
        for name in BREAKER_PROBLEMS:
            problem = by_key.get(name)
            since = f"abierto desde {problem.since:%Y-%m-%d %H:%M} UTC" if problem else "cerrado"
            breakers.append(f"{name}: {since}")
        lines = ["Interruptores (según los avisos de los procesos en marcha): " + "; ".join(breakers)]
        others = [problem for problem in opened if problem.problem.key not in BREAKER_PROBLEMS]
        if not others:
            lines.append("Problemas abiertos: ninguno.")
        else:
            lines.append(f"Problemas abiertos: {len(others)}")
            lines += [f"  {p.problem.key} (desde {p.since:%Y-%m-%d %H:%M} UTC)" for p in others]
        return [*lines, _last_backup(kernel)]

    async def start(self, services: OperationsModule) -> None:
        """Schedule the next backup and reconciliation (one timer per slot, whatever the processes)."""
        await services.schedule()


PLUG = OperationsPlug()


def _last_backup(kernel: Kernel) -> str:
    """One line on the newest archive in the backups directory (automatic or not)."""
    from yabot_adapters.backups import archives  # noqa: PLC0415  (keeps `yabot --help` quick)

    settings = kernel.settings
    if settings.storage == "memory":
        return "Última copia de seguridad: no aplica (memoria)."
    found = archives(settings.backups_dir)
    if not found:
        return f"Última copia de seguridad: ninguna en {settings.backups_dir}."
    return f"Última copia de seguridad: {found[-1]}."
