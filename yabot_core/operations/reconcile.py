"""Reconciliation: stored state checked against the records it is derived from, findings published.

Where one record is the truth, the state derived from it is repaired (only on request, audited): a balance
that is not its ledger's sum, a tienda counter that is not its purchases' count (see ``store_counts``).
Everything else found is reported, never touched.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Final, Protocol

from pydantic import BaseModel, ConfigDict

from yabot_core.audit import Actor, AuditLog, user_target
from yabot_core.inventory import InventoryAudit, QuantityMismatch
from yabot_core.kernel import (
    Clock,
    Event,
    EventStamper,
    Timer,
    TimerStore,
    Transactions,
    UserId,
    spanish_number,
)
from yabot_core.operations.store_counts import (
    STORE_PURCHASES,
    StoreCountUnitOfWork,
    counter_description,
    counter_subject,
    repair_count,
)
from yabot_core.store import CountMismatch, StoreAudit
from yabot_core.subscriptions import EXPIRY_TIMER, StoredSubscription, SubscriptionAudit, replay
from yabot_core.wallet import LedgerMismatch, WalletAudit

WALLET_LEDGER: Final = "wallet.ledger"
"""The check of each wallet's balance against its ledger."""
SUBSCRIPTION_HISTORY: Final = "subscriptions.history"
"""The check of each subscription against the replay of its history (reported only)."""
MOCHILA_MOVEMENTS: Final = "inventory.movements"
"""The check of each mochila line against its operations (reported only: no record there is the truth)."""
VIP_TIMERS: Final = "timers.vip_expiry"
"""The check of open VIP periods against the expiry timers that close them (reported only)."""
SCAN_TIMERS: Final = 1_000_000
"""The most expiry timers one run reads (far above any community: one per open VIP)."""
REPAIR_ACTION: Final = "operations.wallet_repair"
"""The audit action of a balance set back to its ledger's sum."""


class Inconsistency(BaseModel):
    """One thing found wrong: which ``check`` found it, about what (``subject``), described in Spanish."""

    model_config = ConfigDict(frozen=True)

    check: str
    subject: str
    description: str
    user_id: UserId | None = None
    repairable: bool = False


class DataInconsistencyDetected(Event):
    """The reconciliation found stored data that disagrees with the records it derives from."""

    event_type: ClassVar[str] = "operations.data_inconsistency_detected"

    check: str
    subject: str
    description: str


class ReconcileReport(BaseModel):
    """What one run found and, if asked, repaired (users whose balance was set to their ledger's sum)."""

    model_config = ConfigDict(frozen=True)

    findings: tuple[Inconsistency, ...]
    repaired: tuple[UserId, ...] = ()
    repaired_counters: tuple[str, ...] = ()
    """The subjects of the tienda counters set to their purchases' count."""

    def is_repaired(self, finding: Inconsistency) -> bool:
        """Whether ``finding`` was repaired in this run."""
        if finding.check == WALLET_LEDGER:
            return finding.user_id in self.repaired
        return finding.check == STORE_PURCHASES and finding.subject in self.repaired_counters

    @property
    def unresolved(self) -> tuple[Inconsistency, ...]:
        """The findings still standing after the repairs."""
        return tuple(f for f in self.findings if not self.is_repaired(f))


class ReconcileUnitOfWork(StoreCountUnitOfWork, Protocol):
    """A unit of work reaching wallets, the tienda and the audit log."""


class Reconciliation:
    """Runs every check, publishes each finding as :class:`DataInconsistencyDetected` through the outbox."""

    def __init__(
        self,
        transactions: Transactions[ReconcileUnitOfWork],
        audit: AuditLog,
        stamper: EventStamper,
        *,
        wallet_audit: WalletAudit,
        inventory_audit: InventoryAudit,
        subscription_audit: SubscriptionAudit,
        store_audit: StoreAudit | None = None,
        timers: TimerStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._timers = timers
        self._clock = clock
        self._transactions = transactions
        self._wallet_audit = wallet_audit
        self._inventory_audit = inventory_audit
        self._subscription_audit = subscription_audit
        self._store_audit = store_audit
        self._audit = audit
        self._stamper = stamper

    async def run(self, *, repair: bool = False, actor: Actor | None = None) -> ReconcileReport:
        """Check everything; with ``repair``, put derived state back to its truth (audited, by ``actor``).

        Balances are set to their ledger's sum, tienda counters to their purchases' count. A wallet or a
        counter that moved between the check and the repair is left alone (the next run sees it again).
        """
        mismatches = {m.user_id: m for m in await self._wallet_audit.ledger_mismatches()}
        counters = await self._store_audit.count_mismatches() if self._store_audit is not None else ()
        by_subject = {counter_subject(m): m for m in counters}
        subscriptions = await self._subscription_audit.stored_with_history()
        findings = (
            tuple(_wallet_finding(m) for m in mismatches.values())
            + tuple(_mochila_finding(m) for m in await self._inventory_audit.quantity_mismatches())
            + tuple(_counter_finding(m) for m in counters)
            + tuple(
                finding for stored in subscriptions if (finding := _subscription_finding(stored)) is not None
            )
            + await self._timer_findings(subscriptions)
        )
        if findings:
            await self._transactions.run(lambda uow: self._publish(uow, findings))
        repaired: list[UserId] = []
        repaired_counters: list[str] = []
        if repair:
            who = actor or Actor.system()
            for finding in findings:
                if not finding.repairable:
                    continue
                if finding.check == STORE_PURCHASES:
                    if await self._repair_count(by_subject[finding.subject], who):
                        repaired_counters.append(finding.subject)
                elif finding.user_id is not None:
                    mismatch = mismatches[finding.user_id]
                    if await self._repair(mismatch, who):
                        repaired.append(mismatch.user_id)
        return ReconcileReport(
            findings=findings, repaired=tuple(repaired), repaired_counters=tuple(repaired_counters)
        )

    async def _timer_findings(self, subscriptions: Sequence[StoredSubscription]) -> tuple[Inconsistency, ...]:
        """Each open VIP period has the expiry timer that closes it, and each expiry timer an open period.

        A period already due is left out: its timer may be firing right now. Without a timer store (a
        library user's composition), nothing is checked.
        """
        if self._timers is None or self._clock is None:
            return ()
        now = self._clock.now()
        timers = await self._timers.pending(limit=SCAN_TIMERS, kind=EXPIRY_TIMER)
        by_period = {_period_of(timer): timer for timer in timers}
        findings: list[Inconsistency] = []
        open_periods: set[tuple[int, object, object]] = set()
        for found in subscriptions:
            stored = found.stored
            if stored is None or stored.ended_at is not None:
                continue
            period: tuple[int, object, object] = (
                int(stored.user_id),
                stored.period_sequence,
                stored.vip_until,
            )
            open_periods.add(period)
            if period not in by_period and stored.vip_until > now:
                findings.append(
                    Inconsistency(
                        check=VIP_TIMERS,
                        subject=f"VIP del usuario {stored.user_id}",
                        description=(
                            f"vence el {stored.vip_until:%d/%m/%Y %H:%M} UTC, pero no hay aviso programado"
                            " que lo cierre: seguiría en el canal VIP sin pagar"
                        ),
                        user_id=stored.user_id,
                    )
                )
        for period, timer in by_period.items():
            if period not in open_periods and timer.due_at > now:
                findings.append(
                    Inconsistency(
                        check=VIP_TIMERS,
                        subject=f"aviso programado {timer.key}",
                        description="cierra un periodo VIP que ya no está abierto (al dispararse, nada)",
                        user_id=timer.user_id,
                    )
                )
        return tuple(findings)

    async def _publish(self, uow: ReconcileUnitOfWork, findings: Sequence[Inconsistency]) -> None:
        for finding in findings:
            uow.record(
                DataInconsistencyDetected(
                    **self._stamper.stamp(),
                    user_id=finding.user_id,
                    check=finding.check,
                    subject=finding.subject,
                    description=finding.description,
                )
            )

    async def _repair_count(self, mismatch: CountMismatch, actor: Actor) -> bool:
        return await self._transactions.run(lambda uow: repair_count(uow, mismatch, self._audit, actor))

    async def _repair(self, mismatch: LedgerMismatch, actor: Actor) -> bool:
        async def work(uow: ReconcileUnitOfWork) -> bool:
            corrected = await uow.wallets.correct_balance(
                mismatch.user_id, balance=mismatch.ledger_sum, sequence=mismatch.sequence
            )
            if corrected:
                await self._audit.record_in(
                    uow,
                    actor,
                    REPAIR_ACTION,
                    user_target(mismatch.user_id),
                    detail={"saldo_anterior": mismatch.balance, "saldo_del_libro": mismatch.ledger_sum},
                )
            return corrected

        return await self._transactions.run(work)


def _wallet_finding(mismatch: LedgerMismatch) -> Inconsistency:
    balance, total = mismatch.balance, mismatch.ledger_sum
    if balance != total:
        text = (
            f"el saldo guardado es {spanish_number(balance)} besitos, pero sus movimientos suman "
            f"{spanish_number(total)}"
        )
    else:
        text = f"el saldo es negativo ({spanish_number(balance)} besitos)"
    return Inconsistency(
        check=WALLET_LEDGER,
        subject=f"monedero del usuario {mismatch.user_id}",
        description=text,
        user_id=mismatch.user_id,
        repairable=balance != total and total >= 0,
    )


def _mochila_finding(mismatch: QuantityMismatch) -> Inconsistency:
    return Inconsistency(
        check=MOCHILA_MOVEMENTS,
        subject=f"mochila del usuario {mismatch.user_id}, objeto «{mismatch.item_id}»",
        description=(
            f"guarda {spanish_number(mismatch.quantity)}, pero sus movimientos suman "
            f"{spanish_number(mismatch.movements)}"
        ),
        user_id=mismatch.user_id,
    )


def _counter_finding(mismatch: CountMismatch) -> Inconsistency:
    return Inconsistency(
        check=STORE_PURCHASES,
        subject=counter_subject(mismatch),
        description=counter_description(mismatch),
        user_id=mismatch.user_id,
        repairable=True,
    )


def _subscription_finding(found: StoredSubscription) -> Inconsistency | None:
    try:
        replayed = replay(found.history)
    except ValueError:
        text = "su historial está roto (un movimiento no sigue al anterior)"
    else:
        if replayed == found.stored:
            return None
        if found.stored is None or replayed is None:
            text = "hay historial sin suscripción guardada" if found.stored is None else "no tiene historial"
        else:
            text = (
                f"la guardada vence el {found.stored.vip_until:%d/%m/%Y %H:%M} UTC y va por el movimiento "
                f"{found.stored.sequence}; su historial da {replayed.vip_until:%d/%m/%Y %H:%M} UTC y "
                f"{replayed.sequence}"
            )
    return Inconsistency(
        check=SUBSCRIPTION_HISTORY,
        subject=f"suscripción VIP del usuario {found.user_id}",
        description=text,
        user_id=found.user_id,
    )


def _period_of(timer: Timer) -> tuple[int, object, object]:
    """The VIP period an expiry timer closes, as its payload names it (user, period, end)."""
    payload = timer.payload
    until = payload.get("until")
    end = datetime.fromisoformat(until) if isinstance(until, str) else None
    return (int(str(payload.get("user_id"))), payload.get("period"), end)
