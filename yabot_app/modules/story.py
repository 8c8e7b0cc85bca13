"""The story plugged in: stories from content, /historia, and Lucien's word when a waiting fan becomes VIP."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.content import SHIPPED_STORIES
from yabot_app.modules.inventory import InventoryModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.missions import MissionsModule
from yabot_app.modules.plug import BotCommand, BotPart, BuiltModules, HandlerSpec, Kernel, ModulePlug
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_app.modules.users import UsersModule
from yabot_app.modules.wallet import WalletModule
from yabot_core import story
from yabot_core.story import Narrative, StoryVipNotices
from yabot_core.subscriptions import SubscriptionStarted, VipStatus
from yabot_core.users import UserDirectory

if TYPE_CHECKING:
    import click

NOTICE_MAX_AGE = timedelta(days=1)
"""«You can go on» a day late is stale news: /historia shows the open passage anyway."""


@dataclass(frozen=True, slots=True)
class StoryModule:
    """The story module's services."""

    narrative: Narrative
    notices: StoryVipNotices
    users: UserDirectory
    vip: VipStatus


class StoryPlug(ModulePlug[StoryModule]):
    """Diana's stories, told by Lucien: each fan's way through them, and its effects.

    Over HTTP: a fan's progress, and a fragment's text (VIP fragments only to VIPs and to keys).
    """

    manifest = story.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> StoryModule:
        """The stories (shipped, then the creator's ``content/stories/``), checked against items and missions.

        A ``mision`` condition names a mission by id; the missions module answers it for each fan.

        Raises:
            ContentError: a story has problems; every one is listed, in Spanish, by file, line and fragment,
                and YABOT does not start.
        """
        from yabot_adapters.content import load_story_library  # noqa: PLC0415  (ruamel only when built)

        mochila = modules.get(InventoryModule).mochila
        lucien = modules.get(LucienModule).lucien
        missions = modules.get(MissionsModule).missions
        library = load_story_library(
            SHIPPED_STORIES,
            kernel.settings.content_dir,
            [item.id for item in mochila.catalog.items],
            text_check=lucien.text_problems,
            missions=[mission.id for mission in missions.catalog],
        )
        storage = kernel.storage
        narrative = Narrative(
            transactions=storage.transactions,
            queries=storage.story_queries,
            library=library,
            wallet=modules.get(WalletModule).wallet,
            mochila=mochila,
            lucien=lucien,
            vip=modules.get(SubscriptionsModule).vip,
            clock=kernel.clock,
            ids=kernel.ids,
            missions=missions,
        )
        return StoryModule(
            narrative=narrative,
            notices=StoryVipNotices(narrative, lucien),
            users=modules.get(UsersModule).directory,
            vip=modules.get(SubscriptionsModule).vip,
        )

    def api(self, services: StoryModule) -> Sequence[Any]:
        """``GET /users/{id}/narrative/progress`` and ``GET /fragments/{id}``."""
        from yabot_adapters.http.controllers.story import story_controller  # noqa: PLC0415

        return [story_controller(services.narrative, services.users, services.vip)]

    def scopes(self) -> Mapping[str, str]:
        """``story:read``: read the stories' fragments, VIP ones included."""
        return {story.STORY_READ: "Leer los fragmentos de las historias (también los VIP)."}

    def handlers(self, services: StoryModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Tell a fan waiting at a VIP gate that they can go on, the moment they become VIP."""
        yield HandlerSpec(
            SubscriptionStarted,
            "story.vip_can_continue",
            services.notices.on_subscription_started,
            max_age=NOTICE_MAX_AGE,
            needs_telegram=True,
        )

    def bot(self, services: StoryModule, kernel: Kernel) -> BotPart:
        """/historia and its buttons; /pistas, the story's pistas and their combinations."""
        from yabot_adapters.telegram.keyboards.story import StoryRefs  # noqa: PLC0415  (aiogram only when on)
        from yabot_adapters.telegram.routers import story as router  # noqa: PLC0415
        from yabot_adapters.telegram.routers import story_pistas  # noqa: PLC0415

        return BotPart(
            routers=[router.setup(), story_pistas.setup()],
            commands=[
                BotCommand("historia", "story-command-historia"),
                BotCommand("pistas", "story-command-pistas"),
            ],
            data={"narrative": services.narrative, "story_refs": StoryRefs(services.narrative.library)},
        )

    def commands(self) -> Sequence["click.Command"]:
        """``yabot story check``."""
        from yabot_app.cli.story import story_group  # noqa: PLC0415  (the CLI imports the registry)

        return [story_group]


PLUG = StoryPlug()
