"""Backups: what an archive's manifest says, what a storage backend must offer to be backed up and restored.

The archive format (files, checksums) belongs to the adapters; the core states the contract and schedules the
work on the durable timers, one backup per slot however many processes run.
"""

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Final, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.kernel import TimersUnitOfWork, new_timer

BACKUP_FORMAT: Final = 1
"""The layout of an archive this code writes and reads."""
BACKUP_TIMER: Final = "operations.backup"
"""The kind of the timer that takes a scheduled backup."""
RECONCILE_TIMER: Final = "operations.reconcile"
"""The kind of the timer that runs the daily reconciliation."""
RECONCILE_EVERY: Final = 24 * 3600
"""Seconds between scheduled reconciliations."""


class DumpContents(BaseModel):
    """What a backend wrote into a dump directory: its payload files, row counts, each module's schema."""

    model_config = ConfigDict(frozen=True)

    storage: str
    files: tuple[str, ...]
    counts: Mapping[str, int]
    schema_versions: Mapping[str, int] = Field(default_factory=dict)


class BackupManifest(BaseModel):
    """The manifest of one archive: enough to tell, without the live data, what it holds and if it is whole.

    ``files`` maps each payload to its SHA-256 (hex); ``counts`` each table or collection to its rows.
    """

    model_config = ConfigDict(frozen=True)

    format: int = BACKUP_FORMAT
    yabot_version: str
    storage: str
    created_at: AwareDatetime
    schema_versions: dict[str, int]
    counts: dict[str, int]
    files: dict[str, str]


class StorageSnapshots(Protocol):
    """What a storage backend offers backups: a consistent copy of everything it keeps, and a way back."""

    @property
    def kind(self) -> str:
        """The storage's name in manifests (``sqlite``, ``mongo``): an archive restores only into its kind."""
        ...

    async def dump(self, directory: Path) -> DumpContents:
        """Write a consistent copy of all data into ``directory`` (one snapshot, while the app writes).

        Raises:
            UnavailableError: the storage did not answer.
        """
        ...

    def refusal(self, contents: DumpContents) -> str | None:
        """Why this code cannot load ``contents`` (in Spanish: a newer YABOT's schema), or ``None``."""
        ...

    async def existing(self) -> Mapping[str, int]:
        """The target's non-empty tables or collections with their row counts (empty: safe to restore)."""
        ...

    async def load(self, directory: Path, contents: DumpContents) -> None:
        """Replace everything the target holds by the dump in ``directory`` (checked before by the caller)."""
        ...


async def schedule_slot(uow: TimersUnitOfWork, kind: str, now: datetime, every_seconds: int) -> None:
    """Schedule the timer of ``kind`` at the next multiple of ``every_seconds``, unless it already is.

    The key names the slot, so every process asking for the same slot asks for one timer (one backup, one
    reconciliation); one already scheduled is left alone (replacing it would drop a ticker's claim on it).
    """
    slot = (int(now.timestamp()) // every_seconds + 1) * every_seconds
    key = f"{kind}:{slot}"
    if await uow.timers.get(key) is not None:
        return
    due = datetime.fromtimestamp(slot, tz=now.tzinfo)
    await uow.timers.schedule(new_timer(key, kind, due, now=now))
