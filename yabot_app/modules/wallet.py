"""The wallet plugged in: besitos, /saldo, the besitos API, Diana's grants from the shell."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import (
    BotCommand,
    BotPart,
    BuiltModules,
    HandlerSpec,
    HealthCheck,
    Kernel,
    ModulePlug,
)
from yabot_app.modules.users import UsersModule
from yabot_core import wallet
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory
from yabot_core.wallet import BesitosAwarded, BesitosGrants, GrantNotices, WalletService

if TYPE_CHECKING:
    import click

NOTICE_MAX_AGE = timedelta(days=1)
"""A grant announced a day late is confusing, not kind: older notices are dropped."""


@dataclass(frozen=True, slots=True)
class WalletModule:
    """The wallet module's services."""

    wallet: WalletService
    users: UserDirectory
    grants: BesitosGrants
    notices: GrantNotices


class WalletPlug(ModulePlug[WalletModule]):
    """Besitos: the ledger and its views, grants, and their announcements."""

    manifest = wallet.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> WalletModule:
        """The wallet over the configured storage; Lucien announces grants."""
        storage = kernel.storage
        service = WalletService(storage.transactions, storage.wallet_queries, kernel.clock, kernel.ids)
        users = modules.get(UsersModule).directory

        async def variables(user_id: UserId) -> Mapping[str, object]:
            return {"saldo": (await service.balance(user_id)).balance}

        kernel.context.add(["saldo"], variables)
        return WalletModule(
            wallet=service,
            users=users,
            grants=BesitosGrants(storage.transactions, users, service, audit=modules.get(AuditModule).log),
            notices=GrantNotices(modules.get(LucienModule).lucien),
        )

    def handlers(self, services: WalletModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Announce Diana's grants."""
        yield HandlerSpec(
            BesitosAwarded,
            "wallet.grant_notice",
            services.notices.on_besitos_awarded,
            max_age=NOTICE_MAX_AGE,
            needs_telegram=True,
        )

    def health(self, services: WalletModule) -> Iterable[HealthCheck]:
        """The ledger can be read."""

        async def readable() -> None:
            await services.wallet.balance(UserId(1))

        yield HealthCheck("libro", readable)

    def bot(self, services: WalletModule, kernel: Kernel) -> BotPart:
        """/saldo."""
        from yabot_adapters.telegram.routers import wallet as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("saldo", "wallet-command-saldo")],
            data={"wallet": services.wallet},
        )

    def api(self, services: WalletModule) -> Sequence[Any]:
        """``GET /users/{id}/besitos``."""
        from yabot_adapters.http.controllers.wallet import wallet_controller  # noqa: PLC0415

        return [wallet_controller(services.wallet, services.users)]

    def commands(self) -> Sequence["click.Command"]:
        """``yabot wallet grant|balance``."""
        from yabot_app.cli.wallet import wallet_group  # noqa: PLC0415  (the CLI imports the registry)

        return [wallet_group]


PLUG = WalletPlug()
