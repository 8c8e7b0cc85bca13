"""Admins' broadcast screens follow their broadcasts: redrawn as they are sent, until each one ends.

A :class:`ProgressWatch` redraws a screen through aiogram-dialog's background manager (the screen's
``dialog_manager.bg()``): at once when this process's runner reports (``Runner.on_progress``: every second
and at the end), and every few seconds from committed progress, for a broadcast another process sends.
"""

import asyncio
import contextlib
import logging
from typing import Final

from aiogram_dialog import BaseDialogManager

from yabot_core.broadcasts import BroadcastProgress, Broadcasts
from yabot_core.kernel import YabotError

log = logging.getLogger(__name__)

POLL_EVERY: Final = 5.0
"""Seconds between looks at a followed broadcast's committed progress (one another process sends)."""
FOLLOW_LOOKS: Final = 17_280
"""Looks before a watch gives up on a broadcast that never ends (a day at ``POLL_EVERY``)."""


class ProgressWatch:
    """Redraws admins' progress screens while their broadcasts are sent, until each ends."""

    def __init__(self, broadcasts: Broadcasts, every: float = POLL_EVERY) -> None:
        self._broadcasts = broadcasts
        self._every = every
        self._screens: dict[str, BaseDialogManager] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def follow(self, broadcast_id: str, screen: BaseDialogManager) -> None:
        """Redraw ``screen`` as ``broadcast_id`` progresses (a screen followed again replaces the old one)."""
        self._screens[broadcast_id] = screen
        if broadcast_id not in self._tasks:
            self._tasks[broadcast_id] = asyncio.create_task(
                self._poll(broadcast_id), name=f"broadcast-watch-{broadcast_id}"
            )

    async def seen(self, progress: BroadcastProgress) -> None:
        """The runner's report (``Runner.on_progress``): redraw the screen that follows it, if any."""
        if progress.broadcast_id not in self._screens:
            return
        await self._redraw(progress)
        if not progress.state.active:  # the end: nothing more to look at
            self._screens.pop(progress.broadcast_id, None)
            task = self._tasks.pop(progress.broadcast_id, None)
            if task is not None:
                task.cancel()

    async def stop(self) -> None:
        """Stop every watch (the screens keep their last drawing)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self, broadcast_id: str) -> None:
        last: BroadcastProgress | None = None
        try:
            for _ in range(FOLLOW_LOOKS):
                progress = await self._broadcasts.progress(broadcast_id)
                if progress != last:
                    await self._redraw(progress)
                    last = progress
                if not progress.state.active:
                    return
                await asyncio.sleep(self._every)
        except YabotError:
            log.warning("broadcast %s: its progress could not be read; the screen stops", broadcast_id)
        finally:
            if self._tasks.get(broadcast_id) is asyncio.current_task():  # not a newer watch of it
                del self._tasks[broadcast_id]
                self._screens.pop(broadcast_id, None)

    async def _redraw(self, progress: BroadcastProgress) -> None:
        screen = self._screens.get(progress.broadcast_id)
        if screen is None:
            return
        # Queued as an update of the admin's chat: a screen the admin left is the dispatcher's to log.
        await screen.update({"seen": progress.done})
