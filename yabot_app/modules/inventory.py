"""The mochila plugged in: the items catalog from content, /mochila, the mochila API, gifts from the shell."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.content import SHIPPED_ITEMS
from yabot_app.modules.audit import AuditModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_core import inventory
from yabot_core.inventory import ItemAdded, ItemGrants, ItemNotices, Mochila
from yabot_core.users import UserDirectory

if TYPE_CHECKING:
    import click

NOTICE_MAX_AGE = timedelta(days=1)
"""A gift announced a day late is confusing, not kind: older notices are dropped."""


@dataclass(frozen=True, slots=True)
class InventoryModule:
    """The inventory module's services."""

    mochila: Mochila
    users: UserDirectory
    grants: ItemGrants
    notices: ItemNotices


class InventoryPlug(ModulePlug[InventoryModule]):
    """The mochila: items, what each fan holds, Diana's gifts and their announcements."""

    manifest = inventory.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> InventoryModule:
        """The catalog (shipped, then the creator's ``content/objetos.yaml``) and the mochila over storage.

        Raises:
            ContentError: the creator's items file has problems; every one is listed, in Spanish, and YABOT
                does not start (``yabot`` prints them as ``Error: …``).
        """
        from yabot_adapters.content import load_item_catalog  # noqa: PLC0415  (ruamel only when built)

        catalog = load_item_catalog(SHIPPED_ITEMS, kernel.settings.content_dir)
        storage = kernel.storage
        mochila = Mochila(storage.transactions, storage.inventory_queries, catalog, kernel.clock, kernel.ids)
        users = modules.get(UsersModule).directory
        return InventoryModule(
            mochila=mochila,
            users=users,
            grants=ItemGrants(storage.transactions, users, mochila, audit=modules.get(AuditModule).log),
            notices=ItemNotices(modules.get(LucienModule).lucien, catalog),
        )

    def handlers(self, services: InventoryModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Announce Diana's gifts."""
        yield HandlerSpec(
            ItemAdded,
            "inventory.grant_notice",
            services.notices.on_item_added,
            max_age=NOTICE_MAX_AGE,
            needs_telegram=True,
        )

    def bot(self, services: InventoryModule, kernel: Kernel) -> BotPart:
        """/mochila and its buttons."""
        from yabot_adapters.telegram.keyboards.inventory import ItemRefs  # noqa: PLC0415  (aiogram only when on)
        from yabot_adapters.telegram.routers import inventory as router  # noqa: PLC0415

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("mochila", "inventory-command-mochila")],
            data={"mochila": services.mochila, "item_refs": ItemRefs(services.mochila.catalog)},
        )

    def api(self, services: InventoryModule) -> Sequence[Any]:
        """``GET /users/{id}/inventory``."""
        from yabot_adapters.http.controllers.inventory import inventory_controller  # noqa: PLC0415

        return [inventory_controller(services.mochila, services.users)]

    def commands(self) -> Sequence["click.Command"]:
        """``yabot items grant|list``."""
        from yabot_app.cli.inventory import items_group  # noqa: PLC0415  (the CLI imports the registry)

        return [items_group]


PLUG = InventoryPlug()
