"""The ranking plugged in: it counts the wallet's credits as they are published, and /ranking shows it."""

from collections.abc import Iterable
from dataclasses import dataclass

from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.users import UsersModule
from yabot_core import ranking
from yabot_core.ranking import Ranking
from yabot_core.users import UserDirectory
from yabot_core.wallet import BesitosAwarded


@dataclass(frozen=True, slots=True)
class RankingModule:
    """The ranking module's services."""

    ranking: Ranking
    users: UserDirectory


class RankingPlug(ModulePlug[RankingModule]):
    """Top fans by besitos earned, this week (in ``YABOT_TIMEZONE``) and all time."""

    manifest = ranking.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> RankingModule:
        """The ranking over storage, its weeks in the bot's time zone."""
        storage = kernel.storage
        service = Ranking(
            storage.transactions, storage.ranking_queries, clock=kernel.clock, zone=kernel.settings.zone
        )
        return RankingModule(ranking=service, users=modules.get(UsersModule).directory)

    def handlers(self, services: RankingModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Count every credit (no Telegram needed: it only writes the scores)."""
        yield HandlerSpec(BesitosAwarded, "ranking.count", services.ranking.on_besitos_awarded)

    def bot(self, services: RankingModule, kernel: Kernel) -> BotPart:
        """/ranking."""
        from yabot_adapters.telegram.routers import ranking as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            commands=[BotCommand("ranking", "ranking-command-ranking")],
            data={"ranking": services.ranking},
        )


PLUG = RankingPlug()
