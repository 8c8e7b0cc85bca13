"""``yabot items``: objects and pistas from the shell, Diana's gifts, and what a fan's mochila holds."""

import uuid
from typing import TYPE_CHECKING

import click

from yabot_app.cli.params import idempotency_key_option, operator, user_id_argument
from yabot_app.cli.runtime import load_settings, memory_refused, run, welcome_gift_notice, with_container
from yabot_app.cli.spanish import NonBlankText, PositiveInt, SpanishGroup
from yabot_app.modules.inventory import InventoryModule
from yabot_app.terminal import printable
from yabot_core.inventory import MAX_PAGE_SIZE, MAX_QUANTITY, HeldItem
from yabot_core.kernel import UserId

if TYPE_CHECKING:
    from yabot_app.container import Container


@click.group(
    "items",
    cls=SpanishGroup,
    help="Mochila: conceder objetos y pistas desde la consola, ver lo que guarda un usuario.",
)
def items_group() -> None:
    """Inventory commands."""


@items_group.command(
    help="Concede un objeto o una pista a un usuario (también mientras `yabot run` está sirviendo)."
)
@user_id_argument
@click.argument("item_id", metavar="ID_OBJETO", type=NonBlankText("El id del objeto no puede estar vacío."))
@click.option(
    "--qty",
    "quantity",
    metavar="CANTIDAD",
    default=1,
    show_default=True,
    type=PositiveInt("La cantidad", MAX_QUANTITY),
    help="Cuántos conceder.",
)
@click.option(
    "--reason",
    metavar="TEXTO",
    default=None,
    type=NonBlankText("El motivo no puede estar vacío."),
    help="Unas palabras que Lucien entregará con el regalo, p. ej. «Por su fidelidad».",
)
@idempotency_key_option
def grant(user_id: int, item_id: str, quantity: int, reason: str | None, key: str | None) -> None:
    """Give a fan an item: registration and the mochila commit together, or neither does."""
    settings = load_settings()
    memory_refused(settings)
    key = key or f"items-grant:{uuid.uuid4().hex}"

    async def work(container: "Container") -> None:
        module = container.modules().get(InventoryModule)
        done = await module.grants.grant(
            UserId(user_id), item_id, quantity, note=reason, idempotency_key=key, actor=operator()
        )
        item = module.mochila.catalog.item(item_id)
        name = printable(done.registration.user.display_name)
        now = done.operation.quantity_after(item.id)
        click.echo(f"Concedido: {done.operation.quantity} × «{printable(item.name)}» a {name} ({user_id}).")
        click.echo(f"Ahora tiene {now}. Operación {done.operation.operation_id}, clave {printable(key)}.")
        welcome_gift_notice(settings, new_user=done.registration.created)

    run(with_container(settings, work))


@items_group.command("list", help="Muestra lo que guarda un usuario en su mochila.")
@user_id_argument
def list_items(user_id: int) -> None:
    """Print every item a fan holds, by id."""
    settings = load_settings()

    async def work(container: "Container") -> None:
        mochila = container.modules().get(InventoryModule).mochila
        held: list[HeldItem] = []
        while True:
            view = await mochila.inventory(UserId(user_id), limit=MAX_PAGE_SIZE, offset=len(held))
            held.extend(view.items)
            if not view.items or len(held) >= view.total:
                break
        if not held:
            click.echo(f"Usuario {user_id}: la mochila está vacía.")
            return
        count = "1 objeto" if len(held) == 1 else f"{len(held)} objetos distintos"
        click.echo(f"Usuario {user_id}: {count} en la mochila.")
        for item in held:
            click.echo(f"  {item.quantity} × {_described(item)}")

    run(with_container(settings, work))


def _described(held: HeldItem) -> str:
    item = held.definition
    if item is None:
        return f"{held.item_id} (ya no figura en el catálogo)"
    vip = ", solo VIP" if item.vip_only else ""
    return f"«{printable(item.name)}» ({item.kind.word}{vip}) · {item.id}"
