"""``yabot wallet``: besitos from the shell (also while ``yabot run`` serves the same data)."""

import uuid
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import idempotency_key_option, operator, user_id_argument
from yabot_app.cli.runtime import (
    load_settings,
    local_time,
    memory_refused,
    run,
    welcome_gift_notice,
    with_container,
)
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.wallet import WalletModule
from yabot_app.terminal import printable
from yabot_core.kernel import UserId
from yabot_core.wallet import MAX_AMOUNT

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group("wallet", cls=SpanishGroup, help="Besitos: consultar y conceder desde la consola.")
def wallet_group() -> None:
    """Wallet commands."""


@wallet_group.command(help="Concede besitos a un usuario (también mientras `yabot run` está sirviendo).")
@user_id_argument
@click.argument("amount", metavar="CANTIDAD", type=PositiveInt("La cantidad", MAX_AMOUNT))
@click.option(
    "--reason",
    metavar="TEXTO",
    required=True,
    type=NonBlankText("El motivo no puede estar vacío."),
    help="Motivo que verá el usuario, p. ej. «Premio del concurso».",
)
@idempotency_key_option
def grant(user_id: int, amount: int, reason: str, key: str | None) -> None:
    """Credit a user from the shell: registration and credit commit together, or neither does."""
    settings = load_settings()
    memory_refused(settings)
    key = key or f"grant:{uuid.uuid4().hex}"

    async def work(container: "Container") -> None:
        module = container.modules().get(WalletModule)
        done = await module.grants.grant(
            UserId(user_id), amount, note=reason, idempotency_key=key, actor=operator()
        )
        balance = await module.wallet.balance(UserId(user_id))
        name = printable(done.registration.user.display_name)
        click.echo(f"Concedidos {amount} besitos a {name} ({user_id}).")
        click.echo(
            f"Saldo disponible: {balance.balance} besitos. Movimiento {done.entry.entry_id}, clave {key}."
        )
        welcome_gift_notice(settings, new_user=done.registration.created)

    run(with_container(settings, work))


@wallet_group.command(help="Muestra el saldo y los últimos movimientos de un usuario.")
@user_id_argument
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=PositiveInt("El límite", 100),
    help="Movimientos a mostrar, de 1 a 100.",
)
def balance(user_id: int, limit: int) -> None:
    """Show a user's balance and last movements."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        statement = await container.modules().get(WalletModule).wallet.statement(UserId(user_id), limit=limit)
        summary, page = statement.balance, statement.history
        click.echo(f"Usuario {user_id}: {summary.balance} besitos disponibles, {summary.held} reservados.")
        for entry in page.entries:
            note = f" — {printable(entry.note)}" if entry.note else ""
            when = local_time(entry.created_at, settings.zone)
            click.echo(f"  {when}  {entry.amount:+d}  {entry.reason.label}{note}")
        if page.total == 0:
            click.echo("  Sin movimientos.")

    run(with_container(settings, work))
