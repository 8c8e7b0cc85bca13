"""Scheduled posts plugged in: the channels' publisher, the publish and removal timers, the admins' alert."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.lucien import LucienModule
from yabot_app.modules.plug import (
    AdminScreen,
    BotPart,
    BuiltModules,
    HandlerSpec,
    HealthCheck,
    Kernel,
    ModulePlug,
)
from yabot_core import posts
from yabot_core.kernel import TimerFired, timer_route
from yabot_core.lucien import Lucien
from yabot_core.posts import (
    PUBLISH_TIMER,
    REMOVE_TIMER,
    ChannelPublisher,
    PostChannel,
    PostFailed,
    ScheduledPosts,
)

if TYPE_CHECKING:
    import click

ALERT_MAX_AGE = timedelta(days=1)
"""An alert about a post a day late helps nobody (``yabot posts list`` still shows it failed)."""
FAILED_TEXT = "posts-failed"

_STATES = {"fallida": "no se publicó", "incierta": "no se sabe si llegó al canal"}


@dataclass(frozen=True, slots=True)
class PostsModule:
    """The scheduled posts module's services."""

    posts: ScheduledPosts
    lucien: Lucien


class PostsPlug(ModulePlug[PostsModule]):
    """Posts to the free and VIP channels at a time: once, protected, removed after N hours if asked."""

    manifest = posts.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> PostsModule:
        """The service over storage; it publishes only where the bot runs (elsewhere it only schedules)."""
        storage = kernel.storage
        service = ScheduledPosts(
            storage.transactions,
            storage.post_queries,
            modules.get(AuditModule).log,
            kernel.clock,
            kernel.ids,
            _publisher(kernel),
        )
        return PostsModule(service, modules.get(LucienModule).lucien)

    def handlers(self, services: PostsModule, kernel: Kernel) -> Iterable[HandlerSpec]:
        """Publish at the time; remove after the timed rule; tell the admins when a post is given up."""
        yield HandlerSpec(
            TimerFired,
            "posts.publish",
            services.posts.on_publish_due,
            route=timer_route(PUBLISH_TIMER),
            needs_telegram=True,
        )
        yield HandlerSpec(
            TimerFired,
            "posts.remove",
            services.posts.on_remove_due,
            route=timer_route(REMOVE_TIMER),
            needs_telegram=True,
        )
        lucien = services.lucien

        async def alert(event: PostFailed) -> None:
            post = await services.posts.get(event.post_id)
            await lucien.tell_admins(
                FAILED_TEXT,
                id=event.post_id,
                canal=str(post.channel),
                estado=_STATES.get(event.state, event.state),
                error=event.error[:500],
            )

        yield HandlerSpec(PostFailed, "posts.alert_admins", alert, max_age=ALERT_MAX_AGE, needs_telegram=True)

    def health(self, services: PostsModule) -> Iterable[HealthCheck]:
        """Posts can be read."""

        async def readable() -> None:
            await services.posts.listing(limit=1)

        yield HealthCheck("publicaciones", readable)

    def bot(self, services: PostsModule, kernel: Kernel) -> BotPart:
        """/admin: schedule a post (compose, channel, time, protection, preview, confirm); upcoming ones."""
        from yabot_adapters.telegram.routers import (  # noqa: PLC0415  (aiogram only when on)
            posts_admin,
            posts_upcoming_admin,
        )

        settings = kernel.settings
        configured = {PostChannel.FREE: settings.free_channel_id, PostChannel.VIP: settings.vip_channel_id}
        return BotPart(
            routers=(),
            data={
                "scheduled_posts": services.posts,
                "posts_clock": kernel.clock,
                "posts_channels": tuple(str(channel) for channel, chat in configured.items() if chat),
            },
            admin_screens=[
                AdminScreen(
                    "posts-admin-button-schedule",
                    posts_admin.ScheduleScreen.compose,
                    [posts_admin.schedule_dialog()],
                    order=50,
                ),
                AdminScreen(
                    "posts-admin-button-upcoming",
                    posts_upcoming_admin.UpcomingPostsScreen.listing,
                    [posts_upcoming_admin.upcoming_dialog()],
                    order=55,
                ),
            ],
        )

    def api(self, services: PostsModule) -> Sequence[Any]:
        """``/admin/scheduled-posts``: list, create, cancel (admin keys only)."""
        from yabot_adapters.http.controllers.posts import posts_controller  # noqa: PLC0415

        return [posts_controller(services.posts)]

    def commands(self) -> Sequence["click.Command"]:
        """``yabot posts schedule|list|cancel``."""
        from yabot_app.cli.posts import posts_group  # noqa: PLC0415  (the CLI imports the registry)

        return [posts_group]


def _publisher(kernel: Kernel) -> ChannelPublisher | None:
    if not kernel.telegram:
        return None
    from yabot_adapters.telegram.publisher import TelegramChannelPublisher  # noqa: PLC0415  (aiogram when on)

    settings = kernel.settings
    channels = {PostChannel.FREE: settings.free_channel_id, PostChannel.VIP: settings.vip_channel_id}
    return TelegramChannelPublisher(kernel.bot, channels, kernel.outgoing)


PLUG = PostsPlug()
