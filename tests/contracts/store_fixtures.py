"""What the tienda suites share: a catalog with items for sale, and a tienda over any backend."""

from typing import Final

from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.inventory import ItemCatalog, ItemDefinition, ItemId, Mochila
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.store import Store
from yabot_core.subscriptions import VipCheck
from yabot_core.wallet import ADMIN_GRANT, WalletService

MEDAL: Final = ItemId("medalla")
"""5 besitos, 10 units in all, not stackable (one per mochila)."""
ROSE: Final = ItemId("rosa")
"""2 besitos, stackable, no stock limit, at most 3 per fan."""
MASK: Final = ItemId("antifaz")
"""4 besitos, VIP only."""
STONE: Final = ItemId("piedra")
"""Not for sale (no price)."""

MEDAL_STOCK: Final = 10
MEDAL_PRICE: Final = 5
ROSE_LIMIT: Final = 3


def _item(item_id: str, name: str, **extra: object) -> ItemDefinition:
    return ItemDefinition.model_validate(
        {"id": item_id, "nombre": name, "descripcion": f"Descripción de {name}.", **extra}
    )


def store_catalog() -> ItemCatalog:
    """Four items, three of them for sale."""
    return ItemCatalog(
        items=(
            _item(MEDAL, "Medalla", precio=MEDAL_PRICE, existencias=MEDAL_STOCK),
            _item(STONE, "Piedra"),
            _item(ROSE, "Rosa", apilable="sí", precio=2, limite_por_fan=ROSE_LIMIT),
            _item(MASK, "Antifaz", solo_vip="sí", precio=4),
        )
    )


def make_store(
    storage: StorageBackend, clock: FakeClock, prefix: str = "t", catalog: ItemCatalog | None = None
) -> Store:
    """The tienda over ``storage`` (and :func:`store_catalog` unless given one), asking VIP through the
    subscriptions' own check."""
    ids = SequentialIds(prefix)
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    items = catalog if catalog is not None else store_catalog()
    mochila = Mochila(storage.transactions, storage.inventory_queries, items, clock, ids)
    vip = VipCheck(storage.subscription_queries, clock)
    return Store(storage.transactions, storage.store_queries, wallet, mochila, vip, clock=clock, ids=ids)


async def fund(storage: StorageBackend, clock: FakeClock, besitos: int, *users: UserId) -> None:
    """Give each of ``users`` ``besitos``, all in one commit."""
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("f"))

    async def work(uow: StorageUnitOfWork) -> None:
        for user in users:
            await wallet.credit_in(uow, user, besitos, ADMIN_GRANT, idempotency_key=f"fund-{user}")

    await storage.transactions.run(work)
