"""The users module plugged in: who the bot knows, and Lucien's /start."""

from collections.abc import Iterable
from dataclasses import dataclass

from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HealthCheck, Kernel, ModulePlug
from yabot_core import users
from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory, UserQueries


@dataclass(frozen=True, slots=True)
class UsersModule:
    """The users module's services."""

    directory: UserDirectory
    queries: UserQueries


class UsersPlug(ModulePlug[UsersModule]):
    """Registers users; greets them on /start."""

    manifest = users.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> UsersModule:
        """The user directory over the configured storage."""
        storage = kernel.storage
        return UsersModule(
            UserDirectory(storage.transactions, storage.user_queries, kernel.clock, kernel.ids),
            storage.user_queries,
        )

    def health(self, services: UsersModule) -> Iterable[HealthCheck]:
        """Users can be read."""

        async def readable() -> None:
            await services.queries.get(UserId(1))

        yield HealthCheck("usuarios", readable)

    def bot(self, services: UsersModule, kernel: Kernel) -> BotPart:
        """/start, and who blocks or unblocks the bot."""
        from yabot_adapters.telegram.routers import membership, start  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[membership.setup(), start.setup()],
            commands=[BotCommand("start", "users-command-start")],
            data={"welcome_besitos": kernel.settings.welcome_besitos},
        )


PLUG = UsersPlug()
