"""``yabot missions``: give a fan a mission from the shell, and see a fan's missions."""

from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import operator, user_id_argument
from yabot_app.cli.runtime import load_settings, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, SpanishGroup
from yabot_app.modules.missions import MissionsModule
from yabot_app.terminal import printable
from yabot_core.kernel import UserId

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group(
    "missions", cls=SpanishGroup, help="Misiones: asignarlas desde la consola, ver las de un usuario."
)
def missions_group() -> None:
    """Missions commands."""


@missions_group.command(help="Asigna una misión a un usuario (si ya la tiene, no cambia nada).")
@user_id_argument
@click.argument(
    "mission_id", metavar="ID_MISION", type=NonBlankText("El id de la misión no puede estar vacío.")
)
def assign(user_id: int, mission_id: str) -> None:
    """Give a fan a mission, registering the fan if unknown."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        missions = container.modules().get(MissionsModule).missions
        mission = await missions.assign(UserId(user_id), mission_id, actor=operator())
        title = printable(missions.catalog.mission(mission.mission_id).title)
        click.echo(f"Misión «{title}» ({mission.mission_id}) asignada al usuario {user_id}.")

    run(with_container(settings, work))


@missions_group.command("list", help="Muestra las misiones de un usuario: en curso y cumplidas.")
@user_id_argument
def list_missions(user_id: int) -> None:
    """Print the fan's missions with their progress."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        view = await container.modules().get(MissionsModule).missions.view(UserId(user_id))
        if not view.active and not view.completed:
            click.echo(f"Usuario {user_id}: sin misiones.")
            return
        for status in (*view.active, *view.completed):
            done = "cumplida" if status.completed else "en curso"
            title = printable(status.definition.title)
            click.echo(f"  {status.definition.id}: «{title}» {status.progress}/{status.target} ({done})")

    run(with_container(settings, work))
