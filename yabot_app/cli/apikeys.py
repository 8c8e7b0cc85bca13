"""``yabot apikey``: keys for services and the creator's tools to call the HTTP API.

A key is printed once, when created; YABOT keeps only a hash of it. Revoking works at once, also for a
``yabot run`` serving the same storage: every request reads its key from storage.
"""

from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import operator
from yabot_app.cli.runtime import load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, SpanishGroup
from yabot_app.modules import MODULES
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_app.modules.composed import offered_scopes
from yabot_app.terminal import printable

if TYPE_CHECKING:
    from yabot_app.container import Container


def _scopes_help() -> str:
    offered = offered_scopes(MODULES)
    return (
        "Alcance de la clave (repita la opción para varios). Alcances: "
        + "; ".join(f"`{scope}`, {description}" for scope, description in offered.items())
        + "."
    )


@click.group("apikey", cls=SpanishGroup, help="Claves de la API HTTP: crear, listar y revocar.")
def apikey_group() -> None:
    """API key commands."""


@apikey_group.command(help="Crea una clave y la muestra una sola vez.")
@click.argument("name", metavar="NOMBRE", type=NonBlankText("El nombre de la clave no puede estar vacío."))
@click.option(
    "--scope",
    "scopes",
    metavar="ALCANCE",
    multiple=True,
    required=True,
    help=_scopes_help(),
)
def create(name: str, scopes: tuple[str, ...]) -> None:
    """Issue a key: the whole key is printed here and stored nowhere."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        issued = await container.modules().get(ApiKeysModule).keys.create(name, scopes, actor=operator())
        key = issued.key
        click.echo(
            f"Clave creada: «{printable(key.name)}» (id {key.key_id}), alcances: {', '.join(key.scopes)}."
        )
        click.echo("")
        click.echo(f"    {issued.token}")
        click.echo("")
        click.echo("Guárdela ahora: YABOT no la volverá a mostrar (solo conserva una huella de ella).")
        click.echo("Úsela en la cabecera `Authorization: Bearer <clave>`.")

    run(with_container(settings, work))


@apikey_group.command("list", help="Muestra las claves (nunca la clave en sí), también las revocadas.")
def list_keys() -> None:
    """Print every key: id, name, scopes, when created, whether revoked."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        keys = await container.modules().get(ApiKeysModule).keys.all()
        if not keys:
            click.echo("No hay ninguna clave. Cree una con `yabot apikey create NOMBRE --scope ALCANCE`.")
            return
        for key in keys:
            created = local_time(key.created_at, settings.zone)
            state = (
                "activa"
                if key.revoked_at is None
                else f"revocada el {local_time(key.revoked_at, settings.zone)}"
            )
            click.echo(
                f"{key.key_id}  «{printable(key.name)}»  {', '.join(key.scopes)}  "
                f"creada el {created}  {state}"
            )

    run(with_container(settings, work))


@apikey_group.command(help="Revoca una clave por su id o por su nombre; deja de funcionar al instante.")
@click.argument("key", metavar="ID_O_NOMBRE", type=NonBlankText("Indique el id o el nombre de la clave."))
def revoke(key: str) -> None:
    """Revoke a key; revoking one already revoked says so and changes nothing."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        revoked, changed = await container.modules().get(ApiKeysModule).keys.revoke(key, actor=operator())
        name = printable(revoked.name)
        if changed:
            click.echo(f"Clave «{name}» ({revoked.key_id}) revocada: ya no abre la API.")
        else:
            click.echo(f"La clave «{name}» ({revoked.key_id}) ya estaba revocada; no cambia nada.")

    run(with_container(settings, work))
