"""``yabot audit``: what the admins did, who, when, and under which correlation id."""

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from yabot_app.cli.params import USER_ID, Delay, Moment
from yabot_app.cli.runtime import load_settings, local_time, run, with_container
from yabot_app.cli.spanish import PositiveInt, SpanishGroup
from yabot_app.modules.audit import AuditModule
from yabot_app.terminal import printable
from yabot_core.audit import MAX_PAGE_SIZE, Actor, ActorKind, AuditEntry, user_target
from yabot_core.kernel import UserId, spanish_number

if TYPE_CHECKING:
    from yabot_app.container import Container

F = TypeVar("F", bound=Callable[..., Any])

DETAIL_WIDTH: Final = 80
"""Characters of an entry's detail shown on its line."""


class Since(click.ParamType[datetime, str]):
    """From when: an instant (``2026-11-01T00:00Z``) or how long ago (``24h``, ``7d``)."""

    name = "desde"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        """Parse an instant or a delay back from now, or fail with a Spanish message."""
        text = str(value).strip()
        if text and text[-1] in "smhd" and text[:-1].isdecimal():
            return datetime.now(UTC) - Delay().convert(text, param, ctx)
        return Moment().convert(text, param, ctx)


class ActorParam(click.ParamType[Actor, str]):
    """Who: ``operator:diana``, ``admin:42``, ``api_key:tienda``, ``user:42``, ``system:yabot``."""

    name = "actor"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Actor:
        """Parse ``kind:name``, or fail with a Spanish message naming the kinds."""
        kind, _, name = str(value).strip().partition(":")
        kinds = [member.value for member in ActorKind]
        if kind not in kinds or not name:
            self.fail(
                f"«{value}» no es un actor: escriba tipo:nombre, con tipo {', '.join(kinds)}.", param, ctx
            )
        return Actor(kind=ActorKind(kind), name=name)


def _filters(command: F) -> F:
    """The options ``yabot audit`` and ``yabot audit list`` share."""
    for option in reversed(
        [
            click.option(
                "--user",
                "user_id",
                metavar="ID_USUARIO",
                type=USER_ID,
                help="Solo las que afectan a un usuario.",
            ),
            click.option(
                "--since",
                metavar="DESDE",
                type=Since(),
                default=None,
                help="Solo desde entonces: una fecha ISO 8601 con zona, o hace cuánto (24h, 7d).",
            ),
            click.option(
                "--actor",
                metavar="TIPO:NOMBRE",
                type=ActorParam(),
                default=None,
                help="Solo las de ese actor (operator:diana, admin:42, api_key:tienda).",
            ),
            click.option(
                "--limit",
                default=20,
                show_default=True,
                type=PositiveInt("El límite", MAX_PAGE_SIZE),
                help=f"Acciones a mostrar, de 1 a {MAX_PAGE_SIZE}.",
            ),
        ]
    ):
        command = option(command)
    return command


@click.group(
    "audit",
    cls=SpanishGroup,
    invoke_without_command=True,
    help="Registro de auditoría: lo que han hecho los administradores (sin comando: la lista).",
)
@_filters
@click.pass_context
def audit_group(
    ctx: click.Context, user_id: int | None, since: datetime | None, actor: Actor | None, limit: int
) -> None:
    """Audit commands; alone, the list."""
    if ctx.invoked_subcommand is None:
        _list(user_id, since, actor, limit)


@audit_group.command(
    "list", help="Lista las acciones de los administradores, de la más reciente a la más antigua."
)
@_filters
def list_entries(user_id: int | None, since: datetime | None, actor: Actor | None, limit: int) -> None:
    """Show the latest audited actions."""
    _list(user_id, since, actor, limit)


def _list(user_id: int | None, since: datetime | None, actor: Actor | None, limit: int) -> None:
    settings = load_settings()
    narrowed = user_id is not None or since is not None or actor is not None

    async def work(container: "Container") -> None:
        log = container.modules().get(AuditModule).log
        target = None if user_id is None else user_target(UserId(user_id))
        page = await log.page(limit=limit, target=target, since=since, actor=actor)
        if not page.entries:
            click.echo(
                "Nada que cumpla esos filtros." if narrowed else "El registro de auditoría está vacío."
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
