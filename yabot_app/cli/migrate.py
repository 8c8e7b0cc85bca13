"""``yabot migrate status|up|down MODULO``: each module's schema version in the configured storage.

``yabot run`` (and every command) brings the schema up by itself when it opens storage; these commands let an
operator look before an upgrade, apply it on purpose, and take one module's last step back before running an
older release. SQLite: each module's numbered, reversible migrations. MongoDB: one declarative step per module
(its collections and indexes), recorded in ``schema_versions``; going down drops the module's indexes, never
its data.
"""

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import click

from yabot_app.cli.runtime import fail, load_settings, memory_refused, run
from yabot_app.cli.spanish import SpanishGroup
from yabot_app.settings import Settings

if TYPE_CHECKING:
    from pymongo.asynchronous.database import AsyncDatabase

    from yabot_adapters.migrations import ModuleVersion
    from yabot_adapters.mongo.slice import MongoSlice


@click.group(cls=SpanishGroup, help="El esquema de los datos: versión de cada módulo, subir y bajar un paso.")
def migrate() -> None:
    """Migration commands."""


@migrate.command(
    "status", help="Muestra, por módulo, la versión aplicada y la que trae esta versión de YABOT."
)
def status() -> None:
    """Print each module's applied and latest version."""
    settings = _storage_settings()
    if settings.storage == "sqlite":
        from yabot_adapters.sqlite import migrations  # noqa: PLC0415  (keeps `yabot --help` quick)

        found = migrations.status(settings.sqlite_path)
    else:
        found = run(_mongo_status(settings))
    _table(found)
    behind = [module for module in found if not module.current]
    if behind:
        click.echo(f"{len(behind)} módulo(s) por actualizar: `yabot migrate up` (o arranque YABOT).")
    else:
        click.echo("Todo al día.")


@migrate.command(
    "up", help="Aplica los pasos que falten a cada módulo (lo mismo que hace `yabot run` al arrancar)."
)
def up() -> None:
    """Bring every module to its latest version."""
    settings = _storage_settings()
    if settings.storage == "sqlite":
        from yabot_adapters.sqlite import migrations  # noqa: PLC0415

        before = migrations.up(settings.sqlite_path)
    else:
        before = run(_mongo_up(settings))
    moved = [module for module in before if not module.current]
    for module in moved:
        click.echo(f"{module.module}: {module.applied} → {module.latest}")
    click.echo(f"{len(moved)} módulo(s) actualizados." if moved else "Nada que aplicar: todo al día.")


@migrate.command(
    "down", help="Deshace el último paso aplicado de MODULO (antes de volver a una versión anterior)."
)
@click.argument("module", metavar="MODULO")
def down(module: str) -> None:
    """Take one module back one step."""
    settings = _storage_settings()
    try:
        if settings.storage == "sqlite":
            from yabot_adapters.sqlite import migrations  # noqa: PLC0415

            now = migrations.down(settings.sqlite_path, module)
        else:
            now = run(_mongo_down(settings, module))
    except KeyError:
        fail(f"no hay ningún módulo con datos llamado «{module}»; `yabot migrate status` los lista.")
    except ValueError:
        fail(f"el módulo «{module}» no tiene ningún paso aplicado.")
    click.echo(
        f"{now.module}: ahora en la versión {now.applied} (esta versión de YABOT trae la {now.latest})."
    )
    click.echo("Cualquier orden o `yabot run` de esta versión volverá a subirlo al abrir los datos.")


def _storage_settings() -> Settings:
    settings = load_settings()
    memory_refused(settings)
    return settings


def _table(found: Sequence["ModuleVersion"]) -> None:
    width = max(len(module.module) for module in found)
    click.echo(f"{'módulo':<{width}}  aplicada  actual")
    for module in found:
        mark = "" if module.current else "  ← pendiente"
        click.echo(f"{module.module:<{width}}  {module.applied:>8}  {module.latest:>6}{mark}")


@contextlib.asynccontextmanager
async def _mongo(settings: Settings) -> AsyncIterator[tuple["AsyncDatabase[Any]", Sequence["MongoSlice"]]]:
    """The configured database and the Mongo registry (no transaction check: nothing here needs one)."""
    from pymongo import AsyncMongoClient  # noqa: PLC0415  (keeps `yabot --help` quick)

    from yabot_adapters.mongo.errors import driver_errors  # noqa: PLC0415
    from yabot_adapters.mongo.slices import SLICES  # noqa: PLC0415

    client: AsyncMongoClient[Any] = AsyncMongoClient(
        settings.mongo_url.get_secret_value(), tz_aware=True, serverSelectionTimeoutMS=10_000
    )
    try:
        with driver_errors():
            yield client[settings.mongo_database], SLICES
    finally:
        await client.close()


async def _mongo_status(settings: Settings) -> list["ModuleVersion"]:
    from yabot_adapters.mongo import migrations  # noqa: PLC0415

    async with _mongo(settings) as (database, slices):
        return await migrations.status(database, slices)


async def _mongo_up(settings: Settings) -> list["ModuleVersion"]:
    from yabot_adapters.mongo import migrations  # noqa: PLC0415

    async with _mongo(settings) as (database, slices):
        return await migrations.up(database, slices)


async def _mongo_down(settings: Settings, module: str) -> "ModuleVersion":
    from yabot_adapters.mongo import migrations  # noqa: PLC0415

    async with _mongo(settings) as (database, slices):
        return await migrations.down(database, module, slices)
