"""The Dispatcher: middlewares, every module's routers, /admin, /ayuda, the fallback and the errors router."""

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Dispatcher, Router

from yabot_adapters.telegram import errors
from yabot_adapters.telegram.admin import build_admin_router
from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.dialog_storage import DialogStorage, memory_dialog_storage
from yabot_adapters.telegram.metrics import mark_routers, time_updates
from yabot_adapters.telegram.middlewares import CorrelationMiddleware, UserUpsertMiddleware, track_updates
from yabot_adapters.telegram.routers import fallback, help
from yabot_adapters.telegram.throttling import InProcessPaces, PaceJudge, ThrottlingMiddleware, UserPace
from yabot_core.admin import AdminGate
from yabot_core.kernel import Phrasebook
from yabot_core.users import UserDirectory

RESERVED_DATA = frozenset({"users", "texts", "timezone", "menu", "replayer", "admin_dialogs"})

ADMIN_DIALOGS_KEY = "admin_dialogs"
"""Workflow data: aiogram-dialog's ``BgManagerFactory`` of the /admin screens (to update one from a task)."""


def build_dispatcher(
    *,
    users: UserDirectory,
    texts: Phrasebook,
    timezone: ZoneInfo,
    routers: Sequence[Router] = (),
    menu: Sequence[MenuEntry] = (),
    data: Mapping[str, object] | None = None,
    pace: UserPace | PaceJudge | None = None,
    admin_gate: AdminGate | None = None,
    admin_screens: Sequence[Any] = (),
    dialogs: DialogStorage | None = None,
    replayer: object | None = None,
) -> Dispatcher:
    """Return a Dispatcher serving YABOT's bot; services reach handlers as workflow data.

    It counts the updates in flight: :func:`~yabot_adapters.telegram.middlewares.track_updates` returns its
    tracker (kept under ``UPDATE_TRACKER_KEY``), which :meth:`TelegramPolling.stop` waits on.

    Args:
        users: registers whoever writes to the bot.
        texts: the catalog every handler renders Lucien's words from.
        timezone: the zone dates are shown in.
        routers: every module's routers, tried in order before /ayuda and the fallback.
        menu: the commands /ayuda, /help and the fallback list (the modules' commands, described).
        data: the modules' workflow data (services their handlers take by name).
        pace: how much one user may send before Lucien asks for a pause (``None``: no limit), counted in
            this process's memory; or the judge that counts it elsewhere (in Redis, for several processes).
        admin_gate: who may open /admin (``None``: no /admin menu).
        admin_screens: every module's screens of the /admin menu (``AdminScreen``s).
        dialogs: where aiogram keeps conversation states (aiogram-dialog its stacks) and the per-chat lock;
            ``None``: this process's memory, which only one process can use.
        replayer: the event bus, which replays a dead letter from the /admin menu.

    Raises:
        ValueError: a module's data uses a name the dispatcher reserves.
    """
    extra = dict(data or {})
    clash = RESERVED_DATA & set(extra)
    if clash:
        msg = f"workflow data names reserved by the dispatcher: {sorted(clash)}"
        raise ValueError(msg)
    dialogs = dialogs or memory_dialog_storage()
    # The storage holds the dialogs' state; the per-chat lock goes to aiogram-dialog alone (below): the
    # rest of the bot keeps aiogram's default of no lock, and its own per-user order.
    dp = Dispatcher(name="yabot", storage=dialogs.storage)
    dp.workflow_data.update(
        extra, users=users, texts=texts, timezone=timezone, menu=tuple(menu), replayer=replayer
    )
    # Outer update middlewares run in registration order, after aiogram's own (errors, user context):
    # the correlation scope first, so the user upsert's events carry it too; the per-user throttle before
    # the upsert, so a flood costs no storage. The update tracker goes before them all.
    track_updates(dp)
    time_updates(dp)  # the user upsert and the throttle count in an update's time
    dp.update.outer_middleware(CorrelationMiddleware())
    if pace is not None:
        judge = InProcessPaces(pace) if isinstance(pace, UserPace) else pace
        dp.update.outer_middleware(ThrottlingMiddleware(judge))
    dp.update.outer_middleware(UserUpsertMiddleware(users))
    # /admin after the modules' routers (their commands win over a dialog waiting for text), before /ayuda.
    panel: list[Router] = []
    if admin_gate is not None:
        admin, background = build_admin_router(admin_gate, admin_screens, events_isolation=dialogs.isolation)
        dp.workflow_data[ADMIN_DIALOGS_KEY] = background
        panel.append(admin)
    dp.include_routers(errors.setup(), *routers, *panel, help.setup(), fallback.setup())
    mark_routers(dp)  # after the routers: it marks each one's observers
    return dp
