"""Backups and restores of every storage backend into one archive format (manifest and checksums)."""

from yabot_adapters.backups.archive import (
    TakenBackup,
    Verification,
    archives,
    prune,
    sidecar_of,
    take_backup,
    verify_archive,
)
from yabot_adapters.backups.sqlite import SqliteSnapshots
from yabot_adapters.storage import StorageBackend
from yabot_core.operations import StorageSnapshots


def snapshots_for(storage: StorageBackend) -> StorageSnapshots | None:
    """The backups of ``storage``'s technology, or ``None`` for memory (nothing outlives the process)."""
    from yabot_adapters.guarded import unguarded  # noqa: PLC0415

    storage = unguarded(storage)  # the backend behind the breaker
    from yabot_adapters.sqlite.backend import SqliteStorage  # noqa: PLC0415  (each backend's driver on demand)

    if isinstance(storage, SqliteStorage):
        return SqliteSnapshots(storage.path)
    from yabot_adapters.mongo.backend import MongoStorage  # noqa: PLC0415

    if isinstance(storage, MongoStorage):
        from yabot_adapters.backups.mongo import MongoSnapshots  # noqa: PLC0415

        return MongoSnapshots(storage)
    return None


__all__ = [
    "SqliteSnapshots",
    "TakenBackup",
    "Verification",
    "archives",
    "prune",
    "sidecar_of",
    "snapshots_for",
    "take_backup",
    "verify_archive",
]
