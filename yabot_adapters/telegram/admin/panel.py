"""The ``/admin`` panel: who gets in, the menu of every module's screens, aiogram-dialog set up on them.

Only the admins' private updates enter the panel's router (a router above it filters them, before
aiogram-dialog's middlewares read the dialog storage), so nobody else's messages pay for the menu.
Anyone else's ``/admin`` gets Lucien's polite refusal, written to the audit log.
"""

from collections.abc import Sequence
from typing import Any

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window, setup_dialogs
from aiogram_dialog.api.protocols import BgManagerFactory
from aiogram_dialog.widgets.kbd import Cancel, Group, Start
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import render
from yabot_adapters.telegram.filters import PrivateChat
from yabot_core.admin import AdminGate
from yabot_core.kernel import Phrasebook, UserId

MENU_WIDTH = 2
"""Buttons per row of the menu."""


class AdminMenu(StatesGroup):
    """The menu every screen returns to."""

    menu = State()


class IsAdmin(Filter):
    """Only updates from one of the admins (``YABOT_ADMIN_IDS``)."""

    def __init__(self, gate: AdminGate) -> None:
        self._gate = gate

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        """Whether the sender is an admin."""
        return event.from_user is not None and self._gate.is_admin(event.from_user.id)


async def _open_menu(_message: Message, dialog_manager: DialogManager) -> None:
    """/admin from an admin: the menu, on top of nothing (an older menu is left behind)."""
    await dialog_manager.start(AdminMenu.menu, mode=StartMode.RESET_STACK)


def _refusal(gate: AdminGate) -> Any:  # noqa: ANN401  (an aiogram handler)
    async def refuse(message: Message, texts: Phrasebook) -> None:
        """/admin from anyone else: written down, and declined with Lucien's manners."""
        user = message.from_user
        if user is None:
            return
        await gate.refuse(UserId(user.id), "/admin")
        await message.answer(texts.render("admin-refused", nombre=user.first_name))

    return refuse


def _menu_dialog(screens: Sequence[Any]) -> Dialog:
    """The menu: a button per screen, in ``order``, and one to close it."""
    ordered = sorted(screens, key=lambda screen: screen.order)
    buttons = [
        Start(Format(f"{{label_{index}}}"), id=f"open_{index}", state=screen.start)
        for index, screen in enumerate(ordered)
    ]

    async def labels(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
        return {
            "title": render(dialog_manager, "admin-menu"),
            "close": render(dialog_manager, "admin-button-close"),
            **{
                f"label_{index}": render(dialog_manager, screen.label)  # texts: checked as ADMIN_SCREEN
                for index, screen in enumerate(ordered)
            },
        }

    return Dialog(
        Window(
            Format("{title}"),
            Group(*buttons, width=MENU_WIDTH),
            Cancel(Format("{close}"), id="close"),
            state=AdminMenu.menu,
            getter=labels,
        ),
        name="admin.menu",
    )


def build_admin_router(
    gate: AdminGate,
    screens: Sequence[Any],
    *,
    events_isolation: BaseEventIsolation | None = None,
) -> tuple[Router, BgManagerFactory]:
    """The ``/admin`` router for ``screens`` (every module's :class:`AdminScreen`), and its bg factory.

    Dialog state lives in the dispatcher's FSM storage; ``events_isolation`` (a lock per chat) should be
    shared by every process that serves the same admins (aiogram's Redis one, in production).
    """
    root = Router(name="admin")
    root.message.register(_refusal(gate), Command("admin"), PrivateChat(), ~IsAdmin(gate))
    # A router's outer middlewares run before its own filters: the admins' check sits one router above
    # the one aiogram-dialog sets up, so nobody else's update ever reaches the dialogs' middlewares.
    gated = Router(name="admin.gate")
    admin_only = IsAdmin(gate)
    gated.message.filter(PrivateChat(), admin_only)
    gated.callback_query.filter(PrivateChat(), admin_only)
    panel = Router(name="admin.panel")
    panel.message.register(_open_menu, Command("admin"))
    panel.include_router(_menu_dialog(screens))
    for screen in screens:
        panel.include_routers(*screen.dialogs)
    background = setup_dialogs(panel, events_isolation=events_isolation)
    # aiogram-dialog refreshes its registry of dialogs at every start-up, and a second refresh raises (a
    # dispatcher polled, stopped and polled again); the registry also loads on first use, so the hook goes.
    panel.startup.handlers.clear()
    gated.include_router(panel)
    root.include_router(gated)
    return root, background
