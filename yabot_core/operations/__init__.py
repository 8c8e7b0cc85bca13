"""Operations: backups (the contract a backend offers, their schedule) and reconciliation. Public API."""

from yabot_core.operations.backups import (
    BACKUP_FORMAT,
    BACKUP_TIMER,
    RECONCILE_EVERY,
    RECONCILE_TIMER,
    BackupManifest,
    DumpContents,
    StorageSnapshots,
    schedule_slot,
)
from yabot_core.operations.manifest import MANIFEST
from yabot_core.operations.reconcile import (
    MOCHILA_MOVEMENTS,
    REPAIR_ACTION,
    SUBSCRIPTION_HISTORY,
    WALLET_LEDGER,
    DataInconsistencyDetected,
    Inconsistency,
    ReconcileReport,
    ReconcileUnitOfWork,
    Reconciliation,
)

__all__ = [
    "BACKUP_FORMAT",
    "BACKUP_TIMER",
    "MANIFEST",
    "MOCHILA_MOVEMENTS",
    "RECONCILE_EVERY",
    "RECONCILE_TIMER",
    "REPAIR_ACTION",
    "SUBSCRIPTION_HISTORY",
    "WALLET_LEDGER",
    "BackupManifest",
    "DataInconsistencyDetected",
    "DumpContents",
    "Inconsistency",
    "ReconcileReport",
    "ReconcileUnitOfWork",
    "Reconciliation",
    "StorageSnapshots",
    "schedule_slot",
]
