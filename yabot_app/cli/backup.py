"""``yabot backup``, ``yabot backup verify``, ``yabot restore``, ``yabot reconcile``: the data kept safe."""

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import operator
from yabot_app.cli.runtime import fail, load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import SpanishCommand, SpanishGroup
from yabot_app.settings import Settings
from yabot_app.terminal import printable

if TYPE_CHECKING:
    from yabot_adapters.backups import Verification
    from yabot_app.container import Container
    from yabot_core.operations import BackupManifest, StorageSnapshots


def _rows(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name}: {rows}" for name, rows in sorted(counts.items()))


def _summary(manifest: "BackupManifest", settings: Settings) -> str:
    total = sum(manifest.counts.values())
    when = local_time(manifest.created_at, settings.zone, seconds=True)
    return (
        f"{manifest.storage}, YABOT {manifest.yabot_version}, creada el {when}; "
        f"{len(manifest.counts)} tablas o colecciones, {total} filas o documentos"
    )


@click.group(
    "backup",
    cls=SpanishGroup,
    invoke_without_command=True,
    help="Copia de seguridad de todos los datos en un archivo (con manifiesto y sumas de comprobación).",
)
@click.option(
    "--salida",
    metavar="DIRECTORIO",
    type=click.Path(file_okay=False, path_type=Path),
    help="Dónde dejar la copia. Por defecto, YABOT_BACKUP_DIR (o backups/ en el directorio de datos).",
)
@click.pass_context
def backup_group(ctx: click.Context, salida: Path | None) -> None:
    """Take a backup now, unless a subcommand (``verify``) was named."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        from yabot_app.modules.operations import OperationsModule  # noqa: PLC0415  (the registry imports us)

        taken = await container.modules().get(OperationsModule).backup(salida)
        click.echo(f"Copia creada: {printable(str(taken.path))}")
        click.echo(f"  {_summary(taken.manifest, settings)}.")

    run(with_container(settings, work))


def _verify(archive: Path, into: Path) -> "Verification":
    from yabot_adapters.backups import verify_archive  # noqa: PLC0415  (keeps `yabot --help` quick)

    return verify_archive(archive, into)


def _refuse_damaged(archive: Path, found: "Verification") -> None:
    if not found.ok:
        problems = "\n".join(f"  - {printable(problem)}" for problem in found.problems)
        fail(f"la copia {printable(str(archive))} está dañada o incompleta:\n{problems}")


@backup_group.command(help="Comprueba que una copia está entera y sin daños. Sale con 1 si no lo está.")
@click.argument("archive", metavar="ARCHIVO", type=click.Path(path_type=Path))
def verify(archive: Path) -> None:
    """Check an archive's checksums, manifest and payload."""
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="yabot-verify-") as work:
        found = _verify(archive, Path(work))
    _refuse_damaged(archive, found)
    assert found.manifest is not None  # noqa: S101  (ok implies a manifest)
    click.echo(f"La copia {printable(str(archive))} está bien: {_summary(found.manifest, settings)}.")


@click.command(
    cls=SpanishCommand,
    help="Restaura una copia en un almacenamiento vacío (con --force, reemplaza lo que haya).",
)
@click.argument("archive", metavar="ARCHIVO", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Reemplaza los datos que ya haya en el destino.")
def restore(archive: Path, force: bool) -> None:
    """Verify an archive, then load it into the configured storage if empty (or ``--force``)."""
    settings = load_settings()
    memory_refused(settings)
    with tempfile.TemporaryDirectory(prefix="yabot-restore-") as work:
        found = _verify(archive, Path(work))
        _refuse_damaged(archive, found)
        manifest = found.manifest
        assert manifest is not None  # noqa: S101  (ok implies a manifest)
        if manifest.storage != settings.storage:
            fail(
                f"la copia es de un almacenamiento {manifest.storage} y YABOT_STORAGE={settings.storage}: "
                "restáurela con la misma configuración con que se hizo."
            )
        if settings.storage == "sqlite":
            from yabot_adapters.backups import SqliteSnapshots  # noqa: PLC0415

            run(_load(SqliteSnapshots(settings.sqlite_path), Path(work), manifest, force, settings))
        else:

            async def work_on(container: "Container") -> None:
                from yabot_adapters.backups import snapshots_for  # noqa: PLC0415

                snapshots = snapshots_for(container.storage())
                assert snapshots is not None  # noqa: S101  (mongo has snapshots)
                await _load(snapshots, Path(work), manifest, force, settings)

            run(with_container(settings, work_on))


async def _load(
    snapshots: "StorageSnapshots", payload: Path, manifest: "BackupManifest", force: bool, settings: Settings
) -> None:
    from yabot_core.operations import DumpContents  # noqa: PLC0415

    target = settings.describe_storage()
    contents = DumpContents(
        storage=manifest.storage,
        files=tuple(manifest.files),
        counts=manifest.counts,
        schema_versions=manifest.schema_versions,
    )
    refusal = snapshots.refusal(contents)
    if refusal is not None:
        fail(f"{refusal} Nada ha cambiado.")
    existing = await snapshots.existing()
    if existing and not force:
        fail(
            f"el destino ({target}) ya tiene datos ({_rows(existing)}); no se reemplazan sin --force. "
            "Nada ha cambiado."
        )
    if existing:
        click.echo(f"Se reemplazan los datos de {target}: {_rows(existing)}.")
    await snapshots.load(payload, contents)
    click.echo(f"Copia restaurada en {target}: {_summary(manifest, settings)}.")


@click.command(
    cls=SpanishCommand,
    help=(
        "Comprueba que los datos derivados cuadran (saldos y mochilas con sus movimientos, los contadores "
        "de la tienda con sus compras, suscripciones con su historial). Sale con 1 si algo no cuadra; con "
        "--reparar, pone cada saldo igual a la suma de sus movimientos y cada contador de la tienda igual a "
        "sus compras (queda en la auditoría); lo demás solo se informa."
    ),
)
@click.option(
    "--reparar",
    is_flag=True,
    help="Corrige los saldos y los contadores de la tienda que no cuadran con sus movimientos o compras.",
)
def reconcile(reparar: bool) -> None:
    """Run the reconciliation and list its findings."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> int:
        from yabot_app.modules.operations import OperationsModule  # noqa: PLC0415  (the registry imports us)

        module = container.modules().get(OperationsModule)
        report = await module.reconciliation.run(repair=reparar, actor=operator())
        if not report.findings:
            click.echo("Todo cuadra: saldos, mochilas, tienda y suscripciones coinciden con sus movimientos.")
            return 0
        click.echo(f"Inconsistencias encontradas: {len(report.findings)}")
        for finding in report.findings:
            fixed = " (reparado)" if report.is_repaired(finding) else ""
            click.echo(f"  - {printable(finding.subject)}: {printable(finding.description)}{fixed}")
        if report.unresolved:
            hint = (
                ""
                if reparar
                else " Los saldos y los contadores de la tienda se pueden reparar con --reparar."
            )
            click.echo(f"Quedan {len(report.unresolved)} sin resolver.{hint}", err=True)
            return 1
        return 0

    code = run(with_container(settings, work))
    if code:
        raise SystemExit(code)
