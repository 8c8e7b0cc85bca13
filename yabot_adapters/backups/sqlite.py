"""Backups of the SQLite backend: SQLite's online backup API, safe while the bot writes to the file."""

import asyncio
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from yabot_adapters.backups.archive import table_counts
from yabot_adapters.sqlite.connection import BUSY_PATIENCE, DETAIL
from yabot_adapters.sqlite.slices import SLICES
from yabot_core.kernel import UnavailableError
from yabot_core.operations import DumpContents, StorageSnapshots

PAYLOAD: Final = "yabot.sqlite3"
BOOKKEEPING: Final = frozenset({"schema_versions"})
"""Tables a freshly migrated, empty file already fills: they say nothing about whether it holds data."""


class SqliteSnapshots(StorageSnapshots):
    """Copies the database file page by page with ``sqlite3.Connection.backup`` from one read snapshot.

    The copy runs in a worker thread over its own connection: in WAL mode the bot's writers go on committing
    meanwhile, and the copy is the database exactly as of the moment it started reading.
    """

    def __init__(self, path: Path, *, busy_patience: float = BUSY_PATIENCE) -> None:
        self._path = path
        self._patience = busy_patience

    @property
    def kind(self) -> str:
        return "sqlite"

    async def dump(self, directory: Path) -> DumpContents:
        if not self._path.is_file():
            msg = f"No hay datos que copiar: {self._path} no existe."
            raise UnavailableError(msg, detail=DETAIL)
        return await asyncio.to_thread(self._dump, directory / PAYLOAD)

    def _dump(self, target: Path) -> DumpContents:
        try:
            source = sqlite3.connect(self._path, timeout=self._patience)
            try:
                copy = sqlite3.connect(target)
                try:
                    source.backup(copy)  # every page at once: one read transaction, one consistent state
                    counts = table_counts(copy)
                    versions = dict(copy.execute("SELECT module, version FROM schema_versions").fetchall())
                finally:
                    copy.close()
            finally:
                source.close()
        except sqlite3.Error as exc:
            raise UnavailableError(detail=DETAIL) from exc
        return DumpContents(storage=self.kind, files=(PAYLOAD,), counts=counts, schema_versions=versions)

    def refusal(self, contents: DumpContents) -> str | None:
        for piece in SLICES:
            found = contents.schema_versions.get(piece.name, 0)
            if found > piece.latest:
                return (
                    f"la copia es de una versión más reciente de YABOT (módulo {piece.name} en la versión "
                    f"{found}, esta conoce la {piece.latest}): actualice YABOT antes de restaurarla."
                )
        return None

    async def existing(self) -> Mapping[str, int]:
        if not self._path.exists():
            return {}
        return await asyncio.to_thread(self._existing)

    def _existing(self) -> Mapping[str, int]:
        try:
            conn = sqlite3.connect(self._path, timeout=self._patience)
            try:
                counts = table_counts(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise UnavailableError(detail=DETAIL) from exc
        return {name: rows for name, rows in counts.items() if rows and name not in BOOKKEEPING}

    async def load(self, directory: Path, contents: DumpContents) -> None:  # noqa: ARG002  (one file, always)
        await asyncio.to_thread(self._load, directory / PAYLOAD)

    def _load(self, source_path: Path) -> None:
        """Write the copy over the file with the backup API: SQLite locks it and keeps its WAL coherent."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        try:
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            try:
                target = sqlite3.connect(self._path, timeout=self._patience)
                try:
                    source.backup(target)
                finally:
                    target.close()
            finally:
                source.close()
        except sqlite3.Error as exc:
            raise UnavailableError(detail=DETAIL) from exc
