"""``yabot vip refund`` (a Stars payment given back) and ``yabot vip tokens`` (codes that redeem VIP)."""

from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import user_id_argument
from yabot_app.cli.runtime import fail, load_settings, local_time, memory_refused, run, with_container
from yabot_app.cli.spanish import NonBlankText, SpanishCommand
from yabot_app.cli.vip import operator, vip_group
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.terminal import printable
from yabot_core.kernel import UserId
from yabot_core.subscriptions import PaymentRefunds

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


vip_group.add_command(refund)
