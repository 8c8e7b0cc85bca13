"""The reactions plugged in: their content, groups' reactions and posts' buttons, ``yabot post now``."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from yabot_app.content import SHIPPED_CONTENT
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.plug import BotPart, BuiltModules, Kernel, ModulePlug
from yabot_app.modules.wallet import WalletModule
from yabot_core import reactions
from yabot_core.reactions import ReactionPosts, Reactions

if TYPE_CHECKING:
    import click

    from yabot_adapters.telegram.reaction_posts import ReactionButtonRefresher

SHIPPED_REACTIONS: Final = SHIPPED_CONTENT / "reactions.yaml"
"""The shipped reaction rules (a besito a reaction, 20 a day, four buttons, 💋 gives half a letter)."""


@dataclass(frozen=True, slots=True)
class ReactionsModule:
    """The reactions module's services; ``posts`` and ``buttons`` only in a process that runs Telegram."""

    reactions: Reactions
    posts: ReactionPosts | None = None
    buttons: "ReactionButtonRefresher | None" = None


class ReactionsPlug(ModulePlug[ReactionsModule]):
    """A fan's first reaction to a message pays, capped per day; channel posts carry reaction buttons."""

    manifest = reactions.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> ReactionsModule:
        """The rules (shipped, then the creator's ``content/reacciones.yaml``) and the service over storage.

        Raises:
            ContentError: the creator's file has problems; every one is listed, in Spanish, and YABOT does
                not start.
        """
        from yabot_adapters.content.reactions import load_reaction_rules  # noqa: PLC0415  (ruamel only when built)

        mochila = modules.get(InventoryModule).mochila
        settings = kernel.settings
        rules = load_reaction_rules(SHIPPED_REACTIONS, settings.content_dir, mochila.catalog)
        storage = kernel.storage
        service = Reactions(
            storage.transactions,
            storage.reaction_queries,
            modules.get(WalletModule).wallet,
            mochila,
            rules=rules,
            clock=kernel.clock,
            ids=kernel.ids,
            zone=settings.zone,
        )
        if not kernel.telegram:
            return ReactionsModule(reactions=service)
        from yabot_adapters.telegram.reaction_posts import (  # noqa: PLC0415  (aiogram only when on)
            ReactionButtonRefresher,
            TelegramPostPublisher,
        )

        return ReactionsModule(
            reactions=service,
            posts=ReactionPosts(TelegramPostPublisher(kernel.bot, kernel.outgoing), rules),
            buttons=ReactionButtonRefresher(
                kernel.bot,
                service.tally,
                rules.buttons,
                interval=settings.reaction_refresh_seconds,
                limiter=kernel.outgoing,
            ),
        )

    def bot(self, services: ReactionsModule, kernel: Kernel) -> BotPart:
        """Groups' ``message_reaction`` updates and the posts' reaction buttons."""
        from yabot_adapters.telegram.routers import reactions as router  # noqa: PLC0415  (aiogram only when on)

        return BotPart(
            routers=[router.setup()],
            data={"reactions": services.reactions, "reaction_buttons": services.buttons},
        )

    def commands(self) -> Sequence["click.Command"]:
        """``yabot post now``."""
        from yabot_app.cli.post import post_group  # noqa: PLC0415  (the CLI imports the registry)

        return [post_group]

    async def stop(self, services: ReactionsModule) -> None:
        """Stop refreshing buttons' counts (a post still stale keeps its older figures)."""
        if services.buttons is not None:
            await services.buttons.close()


PLUG = ReactionsPlug()
