"""Broadcasts plugged in: audiences from users and subscriptions, the runner, /notificaciones, the CLI."""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from yabot_app.modules.audit import AuditModule
from yabot_app.modules.plug import (
    AdminScreen,
    BotCommand,
    BotPart,
    BuiltModules,
    HealthCheck,
    Kernel,
    ModulePlug,
)
from yabot_app.modules.users import UsersModule
from yabot_core import broadcasts
from yabot_core.broadcasts import (
    Audience,
    AudienceKind,
    Broadcaster,
    BroadcastProgress,
    Broadcasts,
    Notifier,
    ProgressCallback,
)
from yabot_core.kernel import UserId

if TYPE_CHECKING:
    from collections.abc import Iterable

    import click

    from yabot_adapters.storage import StorageBackend
    from yabot_adapters.telegram.broadcast_watch import ProgressWatch

log = logging.getLogger(__name__)

POLL: Final = 1.0
"""Seconds between looks for a due broadcast (a broadcast waits at most this long to start)."""
PAGE: Final = 1000


class StorageAudience:
    """Who is in an audience, read from the users' and the subscriptions' committed data."""

    def __init__(self, storage: "StorageBackend") -> None:
        self._storage = storage

    async def members(self, audience: Audience, now: datetime) -> Sequence[UserId]:
        """The fans of ``audience`` at ``now``, ascending."""
        kind = audience.kind
        if kind is AudienceKind.LIST:
            return sorted(set(audience.user_ids))
        if kind is AudienceKind.VIP:
            return sorted(await self._open_ending(after=now, before=None))
        if kind is AudienceKind.EXPIRING:
            return sorted(await self._open_ending(after=now, before=now + audience.window))
        everyone = await self._everyone()
        if kind is AudienceKind.FREE:
            vips = await self._open_ending(after=now, before=None)
            return [user for user in everyone if user not in vips]
        return everyone

    async def _everyone(self) -> list[UserId]:
        found: list[UserId] = []
        after: UserId | None = None
        while page := await self._storage.user_queries.ids(after=after, limit=PAGE):
            found.extend(page)
            after = page[-1]
        return found

    async def _open_ending(self, *, after: datetime, before: datetime | None) -> set[UserId]:
        found: set[UserId] = set()
        offset = 0
        while True:
            page = await self._storage.subscription_queries.open_ending(
                after=after, before=before, limit=PAGE, offset=offset
            )
            found.update(subscription.user_id for subscription in page.subscriptions)
            offset += len(page.subscriptions)
            if not page.subscriptions or offset >= page.total:
                return found


@dataclass(frozen=True, slots=True)
class BroadcastsModule:
    """The broadcasts module's services; ``runner`` only where the bot runs."""

    broadcasts: Broadcasts
    runner: "Runner | None" = None
    audience: "StorageAudience | None" = None
    """Who is in an audience now (the admin's preview counts them)."""
    watch: "ProgressWatch | None" = None
    """Redraws admins' progress screens (where the bot runs)."""


class Runner:
    """Looks for due broadcasts every second and sends them (one at a time in this process).

    Screens in this process (the admin's live progress bar) follow a broadcast with :meth:`on_progress`;
    one sent by another process is followed by polling :meth:`Broadcasts.progress`.
    """

    def __init__(self, broadcaster: Broadcaster, interval: float = POLL) -> None:
        self.broadcaster = broadcaster
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[ProgressCallback] = []

    def on_progress(self, listener: ProgressCallback) -> None:
        """Tell ``listener`` how each broadcast this process sends is going: every second, and at the end.

        A listener that fails is logged; it never stops a broadcast.
        """
        self._listeners.append(listener)

    def start(self) -> None:
        """Start looking in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="broadcasts-runner")

    async def stop(self) -> None:
        """Stop (a broadcast under way stops between messages; another process, or a restart, resumes it)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def tick(self) -> int:
        """Send every broadcast due now; return how many this process finished."""
        return await self.broadcaster.run_due(self._report if self._listeners else None)

    async def _report(self, progress: BroadcastProgress) -> None:
        for listener in self._listeners:
            try:
                await listener(progress)
            except Exception:
                log.exception("a broadcast progress listener failed")

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("the broadcast runner failed; trying again in %s s", self._interval)
            await asyncio.sleep(self._interval)


class BroadcastsPlug(ModulePlug[BroadcastsModule]):
    """Broadcasts to audiences within Telegram's limits; fans' opt-outs by category."""

    manifest = broadcasts.MANIFEST

    def build(self, kernel: Kernel, modules: BuiltModules) -> BroadcastsModule:
        """The service over storage; the runner where the bot runs (through the process's limiter)."""
        storage = kernel.storage
        service = Broadcasts(
            storage.transactions,
            storage.broadcast_queries,
            modules.get(AuditModule).log,
            kernel.clock,
            kernel.ids,
        )
        audience = StorageAudience(storage)
        if not kernel.telegram:
            return BroadcastsModule(service, audience=audience)
        notifier: Notifier = kernel.messenger
        broadcaster = Broadcaster(
            storage.transactions,
            storage.broadcast_queries,
            audience,
            notifier,
            modules.get(UsersModule).directory,
            kernel.clock,
            kernel.ids,
            lease=timedelta(seconds=kernel.settings.broadcast_lease_seconds),
        )
        from yabot_adapters.telegram.broadcast_watch import ProgressWatch  # noqa: PLC0415  (aiogram when on)

        runner, watch = Runner(broadcaster), ProgressWatch(service)
        runner.on_progress(watch.seen)  # this process's broadcasts redraw their screens as they are sent
        return BroadcastsModule(service, runner, audience, watch)

    async def start(self, services: BroadcastsModule) -> None:
        """Start the runner (where the bot runs)."""
        if services.runner is not None:
            services.runner.start()

    async def stop(self, services: BroadcastsModule) -> None:
        """Stop it, and the admins' progress screens' watches."""
        if services.runner is not None:
            await services.runner.stop()
        if services.watch is not None:
            await services.watch.stop()

    def health(self, services: BroadcastsModule) -> "Iterable[HealthCheck]":
        """Broadcasts can be read."""

        async def readable() -> None:
            await services.broadcasts.listing(limit=1)

        yield HealthCheck("difusiones", readable)

    def bot(self, services: BroadcastsModule, kernel: Kernel) -> BotPart:
        """/notificaciones (the fan's categories, each a button); /admin's broadcast with live progress."""
        from yabot_adapters.telegram.broadcast_watch import ProgressWatch  # noqa: PLC0415  (aiogram when on)
        from yabot_adapters.telegram.routers import (  # noqa: PLC0415  (aiogram only when on)
            broadcasts_admin,
            notifications,
        )

        watch = services.watch or ProgressWatch(services.broadcasts)  # build made one where the bot runs
        return BotPart(
            routers=[notifications.setup()],
            commands=[BotCommand("notificaciones", "broadcasts-command-notificaciones")],
            data={
                "broadcasts": services.broadcasts,
                "broadcasts_clock": kernel.clock,
                "broadcast_audience": services.audience,
                "broadcast_watch": watch,
            },
            admin_screens=[
                AdminScreen(
                    "broadcasts-admin-button-broadcast",
                    broadcasts_admin.BroadcastScreen.compose,
                    [broadcasts_admin.broadcast_dialog()],
                    order=58,
                )
            ],
        )

    def api(self, services: BroadcastsModule) -> Sequence[Any]:
        """``/admin/notifications``: list, create, cancel (admin keys only)."""
        from yabot_adapters.http.controllers.broadcasts import broadcasts_controller  # noqa: PLC0415

        return [broadcasts_controller(services.broadcasts)]

    def commands(self) -> Sequence["click.Command"]:
        """``yabot broadcast send|status|cancel|list``."""
        from yabot_app.cli.broadcasts import broadcast_group  # noqa: PLC0415  (the CLI imports the registry)

        return [broadcast_group]


PLUG = BroadcastsPlug()
