"""``yabot vip refund`` (a Stars payment given back) and ``yabot vip tokens`` (codes that redeem VIP)."""

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import Moment, operator, user_id_argument
from yabot_app.cli.runtime import fail, load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishCommand, SpanishGroup
from yabot_app.cli.vip import vip_group
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.terminal import printable
from yabot_core.kernel import UserId, spanish_number
from yabot_core.subscriptions import (
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    MAX_TOKEN_USES,
    MAX_TOKENS_AT_ONCE,
    PaymentRefunds,
    VipToken,
)

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.command(
    cls=SpanishCommand,
    help="Reembolsa un pago en estrellas (refundStarPayment) y retira los días que compró.",
)
@user_id_argument
@click.argument("charge_id", metavar="ID_CARGO", type=NonBlankText("El id del cargo no puede estar vacío."))
@click.option(
    "--reason",
    metavar="TEXTO",
    default=None,
    type=NonBlankText("El motivo no puede estar vacío."),
    help="Por qué (queda en el historial y en el registro de auditoría).",
)
def refund(user_id: int, charge_id: str, reason: str | None) -> None:
    """Give the Stars back through Telegram, then take back the days they bought (audited), once."""
    settings = load_settings()
    memory_refused(settings)
    if settings.telegram_state != "on":
        fail("para reembolsar hace falta YABOT_BOT_TOKEN: el reembolso lo hace Telegram.")

    async def work(container: "Container") -> None:
        from yabot_adapters.telegram.stars import TelegramStarRefunds  # noqa: PLC0415  (aiogram only here)

        service = container.modules().get(SubscriptionsModule).service
        refunds = PaymentRefunds(service, TelegramStarRefunds(container.bot()))
        change = await refunds.refund(UserId(user_id), charge_id, actor=operator(), reason=reason)
        if change.replayed:
            click.echo(
                f"Ese cargo ya estaba reembolsado (entrada {change.entry.entry_id}); nada más que hacer."
            )
            return
        click.echo(f"Reembolsado el cargo {printable(charge_id)} al usuario {user_id}.")
        current = change.subscription
        if current.is_vip(container.clock().now()):
            until = local_time(current.vip_until, settings.zone)
            click.echo(f"Sigue siendo VIP hasta el {until} ({settings.timezone}).")
        else:
            click.echo("Ya no es VIP.")
        click.echo(f"Entrada {change.entry.entry_id}.")

    run(with_container(settings, work, telegram=True))


@click.group(
    "tokens",
    cls=SpanishGroup,
    help="Códigos VIP: crearlos (se canjean con un enlace o /canjear), listarlos y retirarlos.",
)
def tokens_group() -> None:
    """VIP token commands."""


@tokens_group.command(help="Crea códigos VIP de un plan y muestra cada código con su enlace t.me.")
@click.option(
    "--plan", "plan_id", required=True, metavar="PLAN", help="El id del plan (vea `yabot vip plans`)."
)
@click.option(
    "--uses",
    default=1,
    show_default=True,
    type=PositiveInt("Los usos", MAX_TOKEN_USES),
    help=f"Cuántas personas distintas pueden canjear cada código, de 1 a {spanish_number(MAX_TOKEN_USES)}.",
)
@click.option(
    "--count",
    default=1,
    show_default=True,
    type=PositiveInt("El número de códigos", MAX_TOKENS_AT_ONCE),
    help=f"Cuántos códigos crear, de 1 a {MAX_TOKENS_AT_ONCE}.",
)
@click.option(
    "--expires",
    metavar="MOMENTO",
    default=None,
    type=Moment(),
    help="Hasta cuándo se pueden canjear, en ISO 8601 con zona (p. ej. 2026-12-31T23:59:00+01:00).",
)
def create(plan_id: str, uses: int, count: int, expires: datetime | None) -> None:
    """Make the codes (audited) and print them with their deep links."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        username = settings.bot_username or await _asked_username(container)
        tokens = container.modules().get(SubscriptionsModule).tokens
        made = await tokens.create(plan_id, actor=operator(), count=count, uses=uses, expires_at=expires)
        first = made[0]
        times = "1 vez" if uses == 1 else f"{spanish_number(uses)} veces"
        until = (
            "" if first.expires_at is None else f", hasta el {local_time(first.expires_at, settings.zone)}"
        )
        codes = "1 código" if len(made) == 1 else f"{len(made)} códigos"
        each = "canjeable" if len(made) == 1 else "canjeables"
        click.echo(
            f"{codes} del plan {printable(first.plan_id)} ({first.days} días), {each} {times}"
            f"{'' if len(made) == 1 else ' cada uno'}{until}:"
        )
        for token in made:
            link = f"  https://t.me/{username}?start={token.code}" if username else ""
            click.echo(f"  {token.code}{link}")
        if not username:
            click.echo(
                "Sin enlaces: defina YABOT_BOT_USERNAME (o YABOT_BOT_TOKEN) para obtenerlos."
                " Los fans pueden canjear con /canjear CÓDIGO."
            )

    run(with_container(settings, work, telegram=True))


@tokens_group.command("list", help="Lista los códigos VIP, del más reciente al más antiguo, con su estado.")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=PositiveInt("El número de códigos", MAX_PAGE_SIZE),
    help=f"Cuántos mostrar, de 1 a {MAX_PAGE_SIZE}.",
)
@click.option(
    "--offset",
    default=0,
    show_default=True,
    type=PositiveInt("El desplazamiento", MAX_OFFSET, minimum=0),
    help="Cuántos saltar (para ver los siguientes).",
)
def list_tokens(limit: int, offset: int) -> None:
    """Every code with its plan, uses and state: what an admin needs to find a leaked one."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        tokens = container.modules().get(SubscriptionsModule).tokens
        page = await tokens.page(limit=limit, offset=offset)
        if not page.tokens:
            click.echo("No hay códigos VIP." if page.total == 0 else "No hay más códigos VIP.")
            return
        shown = f"{offset + 1}-{offset + len(page.tokens)} de {spanish_number(page.total)}"
        click.echo(f"Códigos VIP ({shown}; horas en {settings.timezone}):")
        now = container.clock().now()
        for token in page.tokens:
            click.echo(
                f"  {token.code}  {printable(token.plan_id)}  {token.used}/{token.uses} usos"
                f"  {_token_state(token, now, settings.zone)}"
            )

    run(with_container(settings, work))


@tokens_group.command(help="Retira un código VIP (p. ej. si se filtró): nadie más podrá canjearlo.")
@click.argument("code", metavar="CÓDIGO", type=NonBlankText("El código no puede estar vacío."))
def revoke(code: str) -> None:
    """Withdraw a code (audited); what it already gave stays."""
    settings = load_settings()
    memory_refused(settings)

    async def work(container: "Container") -> None:
        tokens = container.modules().get(SubscriptionsModule).tokens
        token, done = await tokens.revoke(code, actor=operator())
        when = local_time(token.revoked_at or container.clock().now(), settings.zone)
        if done:
            click.echo(
                f"Código {token.code} retirado: nadie más podrá canjearlo ({token.used} lo canjearon)."
            )
        else:
            click.echo(f"Nada que hacer: el código {token.code} ya estaba retirado desde el {when}.")

    run(with_container(settings, work))


def _token_state(token: VipToken, now: datetime, zone: tzinfo) -> str:
    if token.revoked_at is not None:
        return f"retirado el {local_time(token.revoked_at, zone)}"
    if token.left() == 0:
        return "agotado"
    if token.expires_at is not None and now >= token.expires_at:
        return f"caducado el {local_time(token.expires_at, zone)}"
    if token.expires_at is not None:
        return f"activo hasta el {local_time(token.expires_at, zone)}"
    return "activo"


async def _asked_username(container: "Container") -> str | None:
    """The bot's username as Telegram says (``getMe``), when this process has a bot token."""
    if not container.telegram():
        return None
    try:
        me = await container.bot().get_me()
    except Exception as exc:  # noqa: BLE001  (no link is no reason to make no codes: say so and go on)
        click.echo(
            f"Aviso: Telegram no dijo el nombre del bot ({type(exc).__name__}); sin enlaces.", err=True
        )
        return None
    return str(me.username) if me.username else None


vip_group.add_command(refund)
vip_group.add_command(tokens_group)
