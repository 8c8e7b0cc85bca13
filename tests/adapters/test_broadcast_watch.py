"""An admin's progress screen follows a broadcast until it ends: from the runner's reports or by looking."""

import asyncio
from typing import TYPE_CHECKING, Any, cast

import pytest

from tests.contracts.common import OPERATOR
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.telegram.broadcast_watch import ProgressWatch
from yabot_core.audit import AuditLog
from yabot_core.broadcasts import Broadcasts, BroadcastState, audience_of
from yabot_core.kernel import FakeClock, SequentialIds

if TYPE_CHECKING:
    from aiogram_dialog import BaseDialogManager

GUARD = 60.0
"""Seconds before a wait is called a hang (never a timing assert)."""


class Screen:
    """An admin's screen as the watch sees it: it only gets redrawn (aiogram-dialog's ``bg().update``)."""

    def __init__(self) -> None:
        self.redrawn: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    async def update(self, data: dict[str, Any], **_: object) -> None:
        self.redrawn.append(data)
        self.changed.set()


@pytest.fixture(name="broadcasts")
def broadcasts_fixture(storage: InMemoryStorage, clock: FakeClock) -> Broadcasts:
    ids = SequentialIds("b")
    return Broadcasts(
        storage.transactions,
        storage.broadcast_queries,
        AuditLog(storage.audit_queries, clock, ids),
        clock,
        ids,
    )


async def test_a_broadcast_sent_elsewhere_is_looked_at_until_it_ends(broadcasts: Broadcasts) -> None:
    """No runner here reports it: the watch reads its committed progress, redraws, and stops at the end."""
    created = await broadcasts.create("Hola", audience_of("todos"), category="novedades", actor=OPERATOR)
    watch = ProgressWatch(broadcasts, every=0.01)
    screen = Screen()
    watch.follow(created.broadcast_id, cast("BaseDialogManager", screen))
    await asyncio.wait_for(screen.changed.wait(), GUARD)  # drawn as it stands
    screen.changed.clear()
    await broadcasts.cancel(created.broadcast_id, actor=OPERATOR)  # another process's doing, say
    await asyncio.wait_for(screen.changed.wait(), GUARD)
    await watch.stop()  # returns at once: the watch ended with the broadcast
    assert (await broadcasts.progress(created.broadcast_id)).state is BroadcastState.CANCELLED
    assert len(screen.redrawn) == 2


async def test_the_runners_last_report_ends_the_watch(broadcasts: Broadcasts) -> None:
    """The final report redraws the screen; the looking stops; a report for nobody's screen is ignored."""
    created = await broadcasts.create("Hola", audience_of("todos"), category="novedades", actor=OPERATOR)
    watch = ProgressWatch(broadcasts, every=GUARD)  # it would look again only after a minute
    screen = Screen()
    watch.follow(created.broadcast_id, cast("BaseDialogManager", screen))
    await asyncio.wait_for(screen.changed.wait(), GUARD)
    await broadcasts.cancel(created.broadcast_id, actor=OPERATOR)
    final = await broadcasts.progress(created.broadcast_id)
    await watch.seen(final.model_copy(update={"broadcast_id": "otra"}))
    await watch.seen(final)
    assert len(screen.redrawn) == 2
    await asyncio.wait_for(watch.stop(), GUARD)
