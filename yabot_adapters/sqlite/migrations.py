"""What ``yabot migrate`` does on a SQLite file: each module's applied and latest version, up, one step down.

Opening the file through :class:`SqliteStorage` migrates it; these work on a bare connection, so ``status``
changes nothing (it opens the file read-only) and ``down`` is not undone by the opening itself.
"""

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from yabot_adapters.migrations import ModuleVersion
from yabot_adapters.sqlite.schema import migrate, rollback, versions
from yabot_adapters.sqlite.slice import SqliteSlice
from yabot_adapters.sqlite.slices import SLICES


def status(path: Path, slices: Sequence[SqliteSlice] = SLICES) -> list[ModuleVersion]:
    """Every module's versions, read without writing (a missing file: every module at 0)."""
    if not path.exists():
        return [ModuleVersion(piece.name, 0, piece.latest) for piece in slices]
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        found = versions(conn)
    finally:
        conn.close()
    return [ModuleVersion(piece.name, found.get(piece.name, 0), piece.latest) for piece in slices]


def up(path: Path, slices: Sequence[SqliteSlice] = SLICES) -> list[ModuleVersion]:
    """Apply every module's missing steps (the same code ``open`` runs); return the versions found before."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        found = migrate(conn, slices)
    finally:
        conn.close()
    return [ModuleVersion(piece.name, found.get(piece.name, 0), piece.latest) for piece in slices]


def down(path: Path, module: str, slices: Sequence[SqliteSlice] = SLICES) -> ModuleVersion:
    """Take ``module`` back one step (its last applied migration's ``down``); return where it is now.

    Raises:
        KeyError: no module of that name keeps data in SQLite.
        ValueError: the module has no step applied.
    """
    piece = next((piece for piece in slices if piece.name == module), None)
    if piece is None:
        raise KeyError(module)
    (before,) = [found for found in status(path, slices) if found.module == module]
    if before.applied == 0:
        msg = f"module {module} has no migration applied"
        raise ValueError(msg)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        rollback(conn, piece, before.applied - 1)
    finally:
        conn.close()
    return ModuleVersion(module, before.applied - 1, piece.latest)
