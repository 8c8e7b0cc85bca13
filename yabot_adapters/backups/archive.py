"""The backup archive: one ``.tar`` holding a manifest and the payload files, with checksums at two levels.

Inside the archive, ``manifest.json`` lists each payload's SHA-256 and ``manifest.sha256`` is the manifest's
own: the chain covers every byte of data. Beside it, ``<archive>.sha256`` (``sha256sum -c`` format) covers
the archive itself, so a flipped byte anywhere is caught before anything is extracted. Archives are written
under a temporary name and renamed, so a crash never leaves a half archive looking like a whole one.
"""

import asyncio
import errno
import hashlib
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from yabot_core.kernel import UnavailableError
from yabot_core.operations import BACKUP_FORMAT, BackupManifest, DumpContents, StorageSnapshots

MANIFEST: Final = "manifest.json"
MANIFEST_SUM: Final = "manifest.sha256"
SUFFIX: Final = ".tar"
SIDECAR: Final = ".sha256"
CHUNK: Final = 1 << 20
_WHY: Final = {
    errno.EEXIST: "parte de la ruta existe y no es un directorio",
    errno.ENOTDIR: "parte de la ruta no es un directorio",
    errno.EACCES: "no hay permiso para escribir allí",
    errno.EPERM: "no hay permiso para escribir allí",
    errno.EROFS: "es un sistema de archivos de solo lectura",
    errno.ENOSPC: "el disco está lleno",
}
"""Why an archive could not be written, in the operator's words (the OS's are English)."""


def yabot_version() -> str:
    """The installed YABOT's version, for manifests."""
    try:
        return version("yabot")
    except PackageNotFoundError:
        return "desconocida"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar_of(archive: Path) -> Path:
    """Where an archive's own checksum lives."""
    return archive.with_name(archive.name + SIDECAR)


@dataclass(frozen=True, slots=True)
class TakenBackup:
    """An archive written: where, what its manifest says, and the old archives removed to keep the count."""

    path: Path
    manifest: BackupManifest
    pruned: tuple[Path, ...] = ()


async def take_backup(
    snapshots: StorageSnapshots, directory: Path, now: datetime, *, keep: int | None = None
) -> TakenBackup:
    """Dump the storage into a new archive in ``directory``; keep only the newest ``keep`` archives there.

    Raises:
        UnavailableError: the storage did not answer, or ``directory`` cannot hold the archive (the message
            names it and says why, in Spanish).
    """
    try:
        return await _take(snapshots, directory, now, keep)
    except OSError as exc:
        reason = _WHY.get(exc.errno or 0, "el sistema no lo permite")
        msg = f"No se puede escribir la copia en {directory}: {reason}."
        raise UnavailableError(msg, detail={"backup": "directory"}) from exc


async def _take(snapshots: StorageSnapshots, directory: Path, now: datetime, keep: int | None) -> TakenBackup:
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".yabot-backup-", dir=directory) as work:
        payload = Path(work) / "payload"
        payload.mkdir()
        contents = await snapshots.dump(payload)
        manifest, archive = await asyncio.to_thread(_pack, contents, payload, Path(work), now)
        utc = now.astimezone(UTC)
        name = f"yabot-{contents.storage}-{utc:%Y%m%dT%H%M%S}.{utc.microsecond // 1000:03d}Z{SUFFIX}"
        target = directory / name
        # The checksum first: an archive that exists always has its checksum beside it.
        os.replace(sidecar_of(archive), sidecar_of(target))
        os.replace(archive, target)
    pruned = prune(directory, keep) if keep is not None else ()
    return TakenBackup(target, manifest, pruned)


def _pack(contents: DumpContents, payload: Path, work: Path, now: datetime) -> tuple[BackupManifest, Path]:
    manifest = BackupManifest(
        format=BACKUP_FORMAT,
        yabot_version=yabot_version(),
        storage=contents.storage,
        created_at=now,
        schema_versions=dict(contents.schema_versions),
        counts=dict(contents.counts),
        files={name: sha256_of(payload / name) for name in contents.files},
    )
    text = manifest.model_dump_json(indent=2).encode()
    (work / MANIFEST).write_bytes(text)
    (work / MANIFEST_SUM).write_text(hashlib.sha256(text).hexdigest() + "\n")
    archive = work / f"archive{SUFFIX}"
    with tarfile.open(archive, "w") as tar:
        tar.add(work / MANIFEST, arcname=MANIFEST)
        tar.add(work / MANIFEST_SUM, arcname=MANIFEST_SUM)
        for name in contents.files:
            tar.add(payload / name, arcname=name)
    with archive.open("rb") as stream:
        os.fsync(stream.fileno())
    sidecar_of(archive).write_text(f"{sha256_of(archive)}  {archive.name}\n")
    return manifest, archive


def archives(directory: Path) -> list[Path]:
    """The archives in ``directory``, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"yabot-*{SUFFIX}") if p.is_file())


def prune(directory: Path, keep: int) -> tuple[Path, ...]:
    """Remove all but the newest ``keep`` archives (and their checksums); return what was removed."""
    found = archives(directory)
    old = found[: max(len(found) - keep, 0)]
    for path in old:
        path.unlink(missing_ok=True)
        sidecar_of(path).unlink(missing_ok=True)
    return tuple(old)


@dataclass
class Verification:
    """What checking an archive found: its manifest (if readable) and every problem, in Spanish."""

    manifest: BackupManifest | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the archive can be trusted."""
        return self.manifest is not None and not self.problems


def verify_archive(archive: Path, into: Path) -> Verification:  # noqa: PLR0912  (one check after another)
    """Check ``archive`` completely, extracting it into ``into``; a restore reads the payload from there.

    Checks, in order: the archive's own checksum (if its ``.sha256`` is beside it), that it reads as a tar,
    the manifest's checksum, each payload's checksum and presence, and the payload against the manifest's
    counts (SQLite's ``PRAGMA integrity_check`` on the extracted copy; lines of each Extended JSON file).
    """
    found = Verification()
    if not archive.is_file():
        found.problems.append(f"{archive} no existe o no es un archivo.")
        return found
    sidecar = sidecar_of(archive)
    if sidecar.is_file():
        expected = sidecar.read_text(errors="replace").split(maxsplit=1)[:1]
        actual = sha256_of(archive)
        if expected != [actual]:
            found.problems.append(
                f"La suma de comprobación del archivo no coincide con {sidecar.name}: el archivo está dañado."
            )
    try:
        with tarfile.open(archive, "r:") as tar:
            names = tar.getnames()
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        found.problems.append(f"No se puede leer el archivo de copia: {exc}.")
        return found
    manifest_path, sum_path = into / MANIFEST, into / MANIFEST_SUM
    if not manifest_path.is_file() or not sum_path.is_file():
        found.problems.append("Al archivo le falta el manifiesto (manifest.json y manifest.sha256).")
        return found
    if hashlib.sha256(manifest_path.read_bytes()).hexdigest() != sum_path.read_text().strip():
        found.problems.append("El manifiesto no coincide con su suma de comprobación: está dañado.")
    try:
        manifest = BackupManifest.model_validate(json.loads(manifest_path.read_bytes()))
    except (ValueError, ValidationError):
        found.problems.append("El manifiesto no se puede leer: no es un manifiesto de YABOT válido.")
        return found
    if manifest.format != BACKUP_FORMAT:
        found.problems.append(f"El formato {manifest.format} de la copia no es el que conoce esta versión.")
    found.manifest = manifest
    extra = sorted(set(names) - set(manifest.files) - {MANIFEST, MANIFEST_SUM})
    if extra:
        found.problems.append(
            f"El archivo contiene ficheros que el manifiesto no menciona: {', '.join(extra)}."
        )
    for name, digest in manifest.files.items():
        path = into / name
        if not path.is_file():
            found.problems.append(f"Falta {name}, que el manifiesto menciona.")
        elif sha256_of(path) != digest:
            found.problems.append(f"{name} no coincide con su suma de comprobación: está dañado.")
        else:
            found.problems.extend(_payload_problems(path, manifest))
    return found


def _payload_problems(path: Path, manifest: BackupManifest) -> Iterator[str]:
    if path.suffix == ".sqlite3":
        yield from _sqlite_problems(path, manifest)
    elif path.suffix == ".jsonl":
        with path.open("rb") as stream:
            lines = sum(1 for _ in stream)
        expected = manifest.counts.get(path.stem, 0)
        if lines != expected:
            yield f"{path.name} tiene {lines} documentos; el manifiesto dice {expected}."


def _sqlite_problems(path: Path, manifest: BackupManifest) -> Iterator[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if verdict != ["ok"]:
            yield f"SQLite encuentra la copia dañada: {'; '.join(verdict[:3])}."
            return
        counts = table_counts(conn)
    except sqlite3.DatabaseError as exc:
        yield f"SQLite no puede leer la copia: {exc}."
        return
    finally:
        conn.close()
    if counts != manifest.counts:
        differ = sorted(
            k for k in counts.keys() | manifest.counts.keys() if counts.get(k) != manifest.counts.get(k)
        )
        yield f"Las filas de la copia no son las del manifiesto en: {', '.join(differ)}."


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table of a SQLite database (its own tables, not SQLite's)."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    # Table names come from the file's own catalog, quoted: never user input.
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}  # noqa: S608
