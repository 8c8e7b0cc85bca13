"""``yabot audit``: what the admins did, who, when, and under which correlation id."""

from datetime import tzinfo
from typing import TYPE_CHECKING, Final

import click

from yabot_app.cli.params import USER_ID
from yabot_app.cli.runtime import load_settings, local_time, run, with_container
from yabot_app.cli.spanish import PositiveInt, SpanishGroup
from yabot_app.modules.audit import AuditModule
from yabot_app.terminal import printable
from yabot_core.audit import MAX_PAGE_SIZE, AuditEntry, user_target
from yabot_core.kernel import UserId, spanish_number

if TYPE_CHECKING:
    from yabot_app.container import Container

DETAIL_WIDTH: Final = 80
"""Characters of an entry's detail shown on its line."""


@click.group("audit", cls=SpanishGroup, help="Registro de auditoría: lo que han hecho los administradores.")
def audit_group() -> None:
    """Audit commands."""


@audit_group.command(
    "list", help="Lista las acciones de los administradores, de la más reciente a la más antigua."
)
@click.option(
    "--user", "user_id", metavar="ID_USUARIO", type=USER_ID, help="Solo las que afectan a un usuario."
)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=PositiveInt("El límite", MAX_PAGE_SIZE),
    help=f"Acciones a mostrar, de 1 a {MAX_PAGE_SIZE}.",
)
def list_entries(user_id: int | None, limit: int) -> None:
    """Show the latest audited actions."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        log = container.modules().get(AuditModule).log
        target = None if user_id is None else user_target(UserId(user_id))
        page = await log.page(limit=limit, target=target)
        if not page.entries:
            click.echo(
                "El registro de auditoría está vacío." if target is None else "Nada sobre ese usuario."
            )
            return
        count = (
            "1 acción registrada" if page.total == 1 else f"{spanish_number(page.total)} acciones registradas"
        )
        click.echo(f"{count} (horas en {settings.timezone}); de la más reciente a la más antigua:")
        for entry in page.entries:
            click.echo(f"  {_line(entry, settings.zone)}")

    run(with_container(settings, work))


def _line(entry: AuditEntry, zone: tzinfo) -> str:
    detail = ", ".join(f"{name}={value}" for name, value in entry.detail.items())
    if len(detail) > DETAIL_WIDTH:
        detail = detail[: DETAIL_WIDTH - 1] + "…"
    return (
        f"{local_time(entry.created_at, zone)}  {printable(entry.actor.label):<22}  {entry.action:<26}"
        f"  {entry.target:<18}  {printable(detail)}  [{entry.correlation_id}]"
    )
