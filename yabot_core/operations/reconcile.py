"""Reconciliation: stored state checked against the records it is derived from, findings published.

The ledger is the truth of a wallet: a balance that is not its entries' sum is the one thing repaired
automatically (and only on request, audited). Everything else found is reported, never touched.
"""

from collections.abc import Sequence
from typing import ClassVar, Final, Protocol

from pydantic import BaseModel, ConfigDict

from yabot_core.audit import Actor, AuditLog, AuditUnitOfWork, user_target
from yabot_core.inventory import InventoryAudit, QuantityMismatch
from yabot_core.kernel import Event, EventStamper, Transactions, UserId, spanish_number
from yabot_core.subscriptions import StoredSubscription, SubscriptionAudit, replay
from yabot_core.wallet import LedgerMismatch, WalletAudit, WalletUnitOfWork

WALLET_LEDGER: Final = "wallet.ledger"
"""The check of each wallet's balance against its ledger."""
SUBSCRIPTION_HISTORY: Final = "subscriptions.history"
"""The check of each subscription against the replay of its history (reported only)."""
MOCHILA_MOVEMENTS: Final = "inventory.movements"
"""The check of each mochila line against its operations (reported only: no record there is the truth)."""
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

    @property
    def unresolved(self) -> tuple[Inconsistency, ...]:
        """The findings still standing after the repairs."""
        fixed = set(self.repaired)
        return tuple(f for f in self.findings if not (f.user_id in fixed and f.check == WALLET_LEDGER))


class ReconcileUnitOfWork(WalletUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching wallets and the audit log."""


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
    ) -> None:
        self._transactions = transactions
        self._wallet_audit = wallet_audit
        self._inventory_audit = inventory_audit
        self._subscription_audit = subscription_audit
        self._audit = audit
        self._stamper = stamper

    async def run(self, *, repair: bool = False, actor: Actor | None = None) -> ReconcileReport:
        """Check everything; with ``repair``, set drifted balances to their ledger's sum (audited, ``actor``).

        A wallet that moved between the check and the repair is left alone (the next run sees it again).
        """
        mismatches = {m.user_id: m for m in await self._wallet_audit.ledger_mismatches()}
        findings = (
            tuple(_wallet_finding(m) for m in mismatches.values())
            + tuple(_mochila_finding(m) for m in await self._inventory_audit.quantity_mismatches())
            + tuple(
                finding
                for stored in await self._subscription_audit.stored_with_history()
                if (finding := _subscription_finding(stored)) is not None
            )
        )
        if findings:
            await self._transactions.run(lambda uow: self._publish(uow, findings))
        repaired: list[UserId] = []
        if repair:
            who = actor or Actor.system()
            for finding in findings:
                if finding.repairable and finding.user_id is not None:
                    mismatch = mismatches[finding.user_id]
                    if await self._repair(mismatch, who):
                        repaired.append(mismatch.user_id)
        return ReconcileReport(findings=findings, repaired=tuple(repaired))

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
