"""The tienda plugged in: items for sale from the items catalog, /tienda, and its catalog over HTTP."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, Kernel, ModulePlug
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.modules.wallet import WalletModule
from yabot_core import store
from yabot_core.store import Store


@dataclass(frozen=True, slots=True)
class StoreModule:
    """The tienda module's services."""

    store: Store


class StorePlug(ModulePlug[StoreModule]):
    """The tienda: prices, units and limits come from the items catalog (``content/objetos.yaml``)."""

    manifest = store.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> StoreModule:
        """The tienda over storage, the wallet, the mochila (and its catalog) and the VIP port."""
        storage = kernel.storage
        service = Store(
            storage.transactions,
            storage.store_queries,
            modules.get(WalletModule).wallet,
            modules.get(InventoryModule).mochila,
            modules.get(SubscriptionsModule).vip,
            clock=kernel.clock,
            ids=kernel.ids,
        )
        return StoreModule(store=service)

    def bot(self, services: StoreModule, kernel: Kernel) -> BotPart:
        """/tienda and its buttons."""
        from yabot_adapters.telegram.keyboards.inventory import ItemRefs  # noqa: PLC0415  (aiogram only when on)
        from yabot_adapters.telegram.routers import store as router  # noqa: PLC0415

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("tienda", "store-command-tienda")],
            data={"store": services.store, "store_refs": ItemRefs(services.store.catalog)},
        )

    def api(self, services: StoreModule) -> Sequence[Any]:
        """``GET /store/items``."""
        from yabot_adapters.http.controllers.store import store_controller  # noqa: PLC0415

        return [store_controller(services.store)]

    def scopes(self) -> Mapping[str, str]:
        """``store:read``: read the tienda's catalog."""
        return {store.STORE_READ: "Leer el catálogo de la tienda (precios y unidades que quedan)."}


PLUG = StorePlug()
