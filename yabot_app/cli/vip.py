"""``yabot vip``: a fan's VIP from the shell: grant, revoke, look it up, list the VIPs, the plans on sale."""

import uuid
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final

import click

from yabot_app.cli.params import Delay, Moment, idempotency_key_option, operator, user_id_argument
from yabot_app.cli.runtime import (
    load_settings,
    local_time,
    memory_refused,
    run,
    welcome_gift_notice,
    with_container,
)
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.terminal import printable
from yabot_core.audit import Actor
from yabot_core.kernel import UserId, spanish_number
from yabot_core.subscriptions import (
    MAX_DAYS,
    MAX_PAGE_SIZE,
    EntryKind,
    Subscription,
    SubscriptionEntry,
    SubscriptionStatus,
    VipChange,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from yabot_app.container import Container
    from yabot_app.settings import Settings
    from yabot_core.subscriptions import SubscriptionService

LIST_LIMIT: Final = 1000
"""The most subscriptions ``yabot vip list`` prints (it says how many more there are)."""

KINDS: Final = {
    EntryKind.GRANT: "alta",
    EntryKind.EXTEND: "ampliación",
    EntryKind.REVOKE: "retirada",
    EntryKind.EXPIRE: "vencimiento",
    EntryKind.REFUND: "reembolso",
    EntryKind.CANCEL: "sin renovación",
}
"""Each kind of history entry, as the operator reads it."""

_reason_option = click.option(
    "--reason",
    metavar="TEXTO",
    default=None,
    type=NonBlankText("El motivo no puede estar vacío."),
    help="Por qué (queda en el historial y en el registro de auditoría).",
)

_days_option = click.option(
    "--days",
    metavar="DÍAS",
    default=None,
    type=PositiveInt("Los días", MAX_DAYS),
    help=f"Cuántos días de VIP, de 1 a {spanish_number(MAX_DAYS)}.",
)
_until_option = click.option(
    "--until",
    metavar="MOMENTO",
    default=None,
    type=Moment(),
    help="Hasta cuándo, en ISO 8601 con zona (p. ej. 2026-12-31T23:59:00+01:00).",
)


@click.group(
    "vip", cls=SpanishGroup, help="VIP: conceder, retirar y consultar suscripciones desde la consola."
)
def vip_group() -> None:
    """Subscription commands."""


@vip_group.command(help="Concede VIP a un usuario (o amplía el que tiene), por días o hasta una fecha.")
@user_id_argument
@_days_option
@_until_option
@_reason_option
@idempotency_key_option
def grant(
    user_id: int, days: int | None, until: datetime | None, reason: str | None, key: str | None
) -> None:
    """Give a fan VIP: registration, the history entry and the audit line commit together, or none does."""
    _one_of(days, until)

    def report(change: VipChange, key: str, settings: "Settings") -> None:
        entry = change.entry
        if not change.replayed and entry.kind is EntryKind.GRANT:
            click.echo(f"VIP concedido al usuario {user_id}: {_span(entry.seconds)}.")
        elif not change.replayed:
            click.echo(f"VIP ampliado al usuario {user_id}: {_span(entry.seconds)} más.")
        _echo_end(change, key, settings)
        welcome_gift_notice(settings, new_user=change.new_user)

    _change(
        "grant",
        "concesión",
        lambda service, key: service.grant(
            UserId(user_id), days=days, until=until, actor=operator(), idempotency_key=key, reason=reason
        ),
        report,
        key,
    )


@vip_group.command(help="Amplía el VIP activo de un usuario (no concede VIP a quien no lo tiene).")
@user_id_argument
@_days_option
@_until_option
@_reason_option
@idempotency_key_option
def extend(
    user_id: int, days: int | None, until: datetime | None, reason: str | None, key: str | None
) -> None:
    """Add time to an active VIP only: a fan without VIP is refused, so a typo never starts one."""
    _one_of(days, until)

    def report(change: VipChange, key: str, settings: "Settings") -> None:
        if not change.replayed:
            click.echo(f"VIP ampliado al usuario {user_id}: {_span(change.entry.seconds)} más.")
        _echo_end(change, key, settings)

    _change(
        "extend",
        "ampliación",
        lambda service, key: service.extend(
            UserId(user_id), days=days, until=until, actor=operator(), idempotency_key=key, reason=reason
        ),
        report,
        key,
    )


@vip_group.command(help="Deja el VIP activo de un usuario sin renovación: dura hasta su fin y termina.")
@user_id_argument
@_reason_option
@idempotency_key_option
def cancel(user_id: int, reason: str | None, key: str | None) -> None:
    """Turn renewal off; the fan keeps what they have until its end."""

    def report(change: VipChange, key: str, settings: "Settings") -> None:
        when = _when(change.subscription.vip_until, settings.zone)
        click.echo(f"El VIP del usuario {user_id} no se renovará: termina el {when} ({settings.timezone}).")
        _echo_entry(change, key)

    _change(
        "cancel",
        "cancelación",
        lambda service, key: service.cancel(
            UserId(user_id), actor=operator(), idempotency_key=key, reason=reason
        ),
        report,
        key,
    )


@vip_group.command(help="Retira el VIP activo de un usuario ahora mismo.")
@user_id_argument
@_reason_option
@idempotency_key_option
def revoke(user_id: int, reason: str | None, key: str | None) -> None:
    """End a fan's VIP now."""

    def report(change: VipChange, key: str, settings: "Settings") -> None:
        when = _when(change.entry.created_at, settings.zone)
        click.echo(f"VIP retirado al usuario {user_id}: terminó el {when} ({settings.timezone}).")
        _echo_entry(change, key)

    _change(
        "revoke",
        "retirada",
        lambda service, key: service.revoke(
            UserId(user_id), actor=operator(), idempotency_key=key, reason=reason
        ),
        report,
        key,
    )


def _one_of(days: int | None, until: datetime | None) -> None:
    if (days is None) == (until is None):
        raise click.UsageError("indique --days o --until, una de las dos.")


def _change(
    action: str,
    noun: str,
    call: "Callable[[SubscriptionService, str], Awaitable[VipChange]]",
    report: "Callable[[VipChange, str, Settings], None]",
    key: str | None,
) -> None:
    """One change to a fan's VIP from the shell: its idempotency key (given or new), the call, the report.

    A key used before changes nothing; the operator is told so, then shown where the VIP stands.
    """
    settings = load_settings()
    memory_refused(settings)
    key = key or f"vip-{action}:{uuid.uuid4().hex}"

    async def work(container: "Container") -> None:
        change = await call(container.modules().get(SubscriptionsModule).service, key)
        if change.replayed:
            click.echo(f"Nada que hacer: la clave {printable(key)} ya se usó para esta misma {noun}.")
        report(change, key, settings)

    run(with_container(settings, work))


@vip_group.command(help="Muestra el VIP de un usuario y su historial, de lo más reciente a lo más antiguo.")
@user_id_argument
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=PositiveInt("El límite", MAX_PAGE_SIZE),
    help=f"Entradas del historial a mostrar, de 1 a {MAX_PAGE_SIZE}.",
)
def status(user_id: int, limit: int) -> None:
    """Show a fan's VIP and its last history entries."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        service = container.modules().get(SubscriptionsModule).service
        statement = await service.statement(UserId(user_id), limit=limit)
        now, zone = container.clock().now(), settings.zone
        current = statement.subscription
        if current is None:
            click.echo(f"Usuario {user_id}: nunca ha tenido VIP.")
            return
        click.echo(f"Usuario {user_id}: {_state(current, now, zone)}")
        if current.cancelled_at is not None and current.status(now) is SubscriptionStatus.ACTIVE:
            click.echo(f"  Renovación cancelada el {_when(current.cancelled_at, zone)}.")
        if current.plan_id:
            click.echo(f"  Último plan: {printable(current.plan_id)}.")
        history = statement.history
        count = "1 entrada" if history.total == 1 else f"{spanish_number(history.total)} entradas"
        click.echo(f"Historial ({count}; horas en {settings.timezone}):")
        for entry in history.entries:
            click.echo(f"  {_history_line(entry, zone)}")

    run(with_container(settings, work))


@vip_group.command("list", help="Lista a los VIP, del que antes termina al que más tarde.")
@click.option(
    "--expiring-within",
    "within",
    metavar="PLAZO",
    default=None,
    type=Delay(),
    help="Solo los que terminan dentro de ese plazo: 3d, 12h, 30m…",
)
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=PositiveInt("El límite", LIST_LIMIT),
    help=f"Suscripciones a mostrar, de 1 a {spanish_number(LIST_LIMIT)}.",
)
def list_vips(within: timedelta | None, limit: int) -> None:
    """List the active subscriptions, soonest end first."""
    if within is not None and within <= timedelta(0):
        raise click.BadParameter("el plazo debe ser mayor que cero.", param_hint="'--expiring-within'")
    settings = load_settings()

    async def work(container: "Container") -> None:
        service = container.modules().get(SubscriptionsModule).service
        found: list[Subscription] = []
        total = 0
        while len(found) < limit:
            page = await service.active(
                within=within, limit=min(MAX_PAGE_SIZE, limit - len(found)), offset=len(found)
            )
            found.extend(page.subscriptions)
            total = page.total
            if not page.subscriptions or len(found) >= total:
                break
        if not found:
            click.echo("No hay ningún VIP." if within is None else "Ningún VIP termina en ese plazo.")
            return
        count = "1 VIP" if total == 1 else f"{spanish_number(total)} VIP"
        if within is not None:
            count += " termina en ese plazo" if total == 1 else " terminan en ese plazo"
        click.echo(f"{count} (horas en {settings.timezone}):")
        click.echo(f"  {'HASTA':<16}  {'USUARIO':>12}  PLAN")
        for subscription in found:
            click.echo(f"  {_subscription_line(subscription, settings.zone)}")
        if total > len(found):
            click.echo(f"  … y {spanish_number(total - len(found))} más (use --limit).")

    run(with_container(settings, work))


@vip_group.command(help="Muestra los planes VIP a la venta (los de serie y los de content/planes.yaml).")
def plans() -> None:
    """List the plans on sale."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        catalog = container.modules().get(SubscriptionsModule).service.plans
        if not len(catalog):
            click.echo("No hay planes a la venta.")
            return
        for plan in catalog:
            click.echo(f"  {plan.id:<24}  {printable(str(plan))}")

    run(with_container(settings, work))


def _echo_end(change: VipChange, key: str, settings: "Settings") -> None:
    until = _when(change.subscription.vip_until, settings.zone)
    click.echo(f"Ahora es VIP hasta el {until} ({settings.timezone}).")
    _echo_entry(change, key)


def _echo_entry(change: VipChange, key: str) -> None:
    click.echo(f"Entrada {change.entry.entry_id}, clave {printable(key)}.")


def _when(moment: datetime, zone: tzinfo) -> str:
    return local_time(moment, zone)


def _span(seconds: int) -> str:
    """A length of VIP as the operator reads it: ``30 días``, ``1 día y 4 h``, ``45 min``."""
    days, rest = divmod(abs(seconds), 86_400)
    hours, rest = divmod(rest, 3600)
    parts = []
    if days:
        parts.append("1 día" if days == 1 else f"{spanish_number(days)} días")
    if hours:
        parts.append(f"{hours} h")
    if not parts:
        parts.append(f"{max(rest // 60, 1 if rest else 0)} min")
    return " y ".join(parts)


def _state(current: Subscription, now: datetime, zone: tzinfo) -> str:
    until = _when(current.vip_until, zone)
    state = current.status(now)
    if state is SubscriptionStatus.ACTIVE:
        left = _span(int((current.vip_until - now).total_seconds()))
        return f"VIP activo hasta el {until} (quedan {left})."
    if state is SubscriptionStatus.LAPSED:
        return f"VIP vencido el {until}; aún no se ha cerrado."
    return f"sin VIP (terminó el {until})."


def _history_line(entry: SubscriptionEntry, zone: tzinfo) -> str:
    sign = "+" if entry.seconds > 0 else "-"
    change = f"{sign}{_span(entry.seconds)}" if entry.seconds else ""
    who = Actor.parse(entry.actor).label
    reason = f" — {printable(entry.reason)}" if entry.reason else ""
    source = f" (pago {printable(entry.reference)})" if entry.reference else ""
    return (
        f"{_when(entry.created_at, zone)}  {KINDS[entry.kind]:<15}  {change:<14}"
        f"  hasta {_when(entry.vip_until, zone)}  {printable(who)}{source}{reason}"
    )


def _subscription_line(subscription: Subscription, zone: tzinfo) -> str:
    plan = printable(subscription.plan_id) if subscription.plan_id else "regalo"
    renewal = " (sin renovación)" if subscription.cancelled_at is not None else ""
    return f"{_when(subscription.vip_until, zone):<16}  {subscription.user_id:>12}  {plan}{renewal}"
