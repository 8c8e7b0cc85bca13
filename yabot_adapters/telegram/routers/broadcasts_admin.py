"""The broadcasts module's /admin screen: a message, its audience and category, a preview, live progress.

It calls the same service as ``yabot broadcast send|cancel`` as the admin pressing (``admin:<id>`` in the
audit log). The confirm button carries a tap id, part of the broadcast's idempotency key: a double tap, or
Telegram delivering the press twice, creates one broadcast. The progress screen is redrawn through
aiogram-dialog's background manager (``dialog_manager.bg()``) by a
:class:`~yabot_adapters.telegram.broadcast_watch.ProgressWatch`.
"""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import ManagedTextInput, TextInput
from aiogram_dialog.widgets.kbd import Back, Button, Cancel, Column, Group, SwitchTo
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import acting_admin, audit_failure, choices, render, served
from yabot_adapters.telegram.broadcast_watch import ProgressWatch
from yabot_adapters.telegram.texts import plain_text
from yabot_adapters.texts import Html
from yabot_core.broadcasts import (
    CATEGORIES,
    MAX_TEXT,
    AudienceKind,
    BroadcastProgress,
    Broadcasts,
    audience_of,
)
from yabot_core.kernel import Clock, YabotError

if TYPE_CHECKING:
    from yabot_core.broadcasts import AudienceSource


TAP_BYTES: Final = 6
"""Random bytes of the confirm button's tap id (8 characters in its callback data)."""
BAR_WIDTH: Final = 12
LISTED: Final = 20
"""The latest broadcasts looked at for ones still going out."""
SNIPPET: Final = 30
"""Characters of a broadcast's text its button shows."""
AUDIENCES: Final = (AudienceKind.ALL, AudienceKind.VIP, AudienceKind.FREE, AudienceKind.EXPIRING)
"""The audiences the menu offers (an explicit list is for the CLI and the API)."""


class BroadcastScreen(StatesGroup):
    """The message, its audience, its category, the preview, the progress, the stop's confirmation."""

    compose = State()
    audience = State()
    category = State()
    preview = State()
    progress = State()
    stop = State()


# --- compose, audience, category --------------------------------------------------------------------------


def _with_notice(manager: DialogManager, text: str) -> str:
    notice = manager.dialog_data.pop("notice", "")
    return f"{notice}\n\n{text}" if notice else text


async def _compose(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    """The question, and the broadcasts still going out (each one's progress a press away)."""
    listed = await served(dialog_manager, "broadcasts", Broadcasts).listing(limit=LISTED)
    running = [broadcast for broadcast in listed if broadcast.state.active]
    dialog_manager.dialog_data["running"] = [broadcast.broadcast_id for broadcast in running]
    text = render(dialog_manager, "broadcasts-admin-compose", maximo=MAX_TEXT)
    if running:
        text = render(dialog_manager, "broadcasts-admin-running", cuantas=len(running), pregunta=Html(text))
    return {
        "text": _with_notice(dialog_manager, text),
        "running": [
            (
                str(index),
                plain_text(
                    render(dialog_manager, "broadcasts-admin-button-running", texto=_snippet(broadcast.text))
                ),
            )
            for index, broadcast in enumerate(running)
        ],
        "back": render(dialog_manager, "admin-button-back"),
    }


def _snippet(text: str) -> str:
    flat = text.replace("\n", " ")
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


async def _running_chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    """Follow a broadcast still going out: its progress, and the button that stops it."""
    running: list[str] = manager.dialog_data.get("running", [])
    if item.isdecimal() and int(item) < len(running):
        manager.dialog_data["broadcast"] = running[int(item)]
        await manager.switch_to(BroadcastScreen.progress)
        served(manager, "broadcast_watch", ProgressWatch).follow(running[int(item)], manager.bg())


async def _composed(
    _message: Message, _widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_TEXT:
        manager.dialog_data["notice"] = render(manager, "broadcasts-admin-bad-text", maximo=MAX_TEXT)
        return
    manager.dialog_data["text"] = stripped
    await manager.switch_to(BroadcastScreen.audience)


async def _audiences(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    return {
        "text": render(dialog_manager, "broadcasts-admin-audience"),
        "audiences": [
            (str(kind), render(dialog_manager, "broadcasts-admin-button-audience", audiencia=str(kind)))
            for kind in AUDIENCES
        ],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _audience_chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    if item in {str(kind) for kind in AUDIENCES}:
        manager.dialog_data["audience"] = item
        await manager.switch_to(BroadcastScreen.category)


async def _categories(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    return {
        "text": render(dialog_manager, "broadcasts-admin-category"),
        "categories": sorted(CATEGORIES.items()),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _category_chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    if item in CATEGORIES:
        manager.dialog_data["category"] = item
        manager.dialog_data["tap"] = secrets.token_urlsafe(TAP_BYTES)
        await manager.switch_to(BroadcastScreen.preview)


# --- preview and confirm ----------------------------------------------------------------------------------


def _now(manager: DialogManager) -> datetime:
    clock: Clock = manager.middleware_data["broadcasts_clock"]
    return clock.now()


async def _preview(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    kind = str(data["audience"])
    source: AudienceSource = dialog_manager.middleware_data["broadcast_audience"]
    size = len(await source.members(audience_of(kind), _now(dialog_manager)))
    text = render(
        dialog_manager,
        "broadcasts-admin-preview",
        mensaje=str(data["text"]),
        audiencia=kind,
        fans=size,
        categoria=CATEGORIES[str(data["category"])],
    )
    return {
        "text": _with_notice(dialog_manager, text),
        "confirm": [(str(data.get("tap", "")), render(dialog_manager, "broadcasts-admin-button-confirm"))],
        "change": render(dialog_manager, "broadcasts-admin-button-change"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _confirm(_callback: CallbackQuery, _widget: Any, manager: DialogManager, tap: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    """Create the broadcast (the runner sends it); the button's tap id makes a double tap one broadcast."""
    data = manager.dialog_data
    if not tap or "text" not in data:
        return  # not the button this screen drew (a forged or stale press): nothing to do
    broadcasts = served(manager, "broadcasts", Broadcasts)
    actor = acting_admin(manager)
    try:
        broadcast = await broadcasts.create(
            str(data["text"]),
            audience_of(str(data["audience"])),
            category=str(data["category"]),
            actor=actor,
            idempotency_key=f"admin-broadcast:{actor.label}:{tap}",
        )
    except YabotError as exc:
        await audit_failure(manager, "broadcasts.create", "broadcasts", exc)
        data["notice"] = render(manager, "broadcasts-admin-failed", motivo=exc.message)
        return
    data["broadcast"] = broadcast.broadcast_id
    await manager.switch_to(BroadcastScreen.progress)
    served(manager, "broadcast_watch", ProgressWatch).follow(broadcast.broadcast_id, manager.bg())


# --- progress and stop ------------------------------------------------------------------------------------


def bar(progress: BroadcastProgress, width: int = BAR_WIDTH) -> str:
    """``▓▓▓▓▓▓░░░░░░ 50 %``: how far a broadcast got, for a chat."""
    filled = round(progress.fraction * width)
    return f"{'▓' * filled}{'░' * (width - filled)} {round(progress.fraction * 100)} %"


async def _progress(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    broadcasts = served(dialog_manager, "broadcasts", Broadcasts)
    progress = await broadcasts.progress(str(dialog_manager.dialog_data["broadcast"]))
    text = render(
        dialog_manager,
        "broadcasts-admin-progress",
        estado=str(progress.state),
        barra=bar(progress),
        hechos=progress.done,
        total=progress.total,
        enviados=progress.sent,
        bloqueados=progress.blocked,
        fallidos=progress.failed + progress.uncertain,
        omitidos=progress.skipped,
    )
    return {
        "text": _with_notice(dialog_manager, text),
        "active": progress.state.active,
        "stop": render(dialog_manager, "broadcasts-admin-button-stop"),
        "refresh": render(dialog_manager, "admin-button-refresh"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _stay(_callback: CallbackQuery, _button: Button, _manager: DialogManager) -> None:
    """Refreshing is drawing the window again, which reads the progress again."""


async def _stop_confirmation(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    return {
        "text": render(dialog_manager, "broadcasts-admin-stop-confirm"),
        "yes": render(dialog_manager, "broadcasts-admin-button-stop-yes"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _stop(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    broadcast_id = str(manager.dialog_data["broadcast"])
    try:
        await served(manager, "broadcasts", Broadcasts).cancel(broadcast_id, actor=acting_admin(manager))
    except YabotError as exc:
        await audit_failure(manager, "broadcasts.cancel", f"broadcast:{broadcast_id}", exc)
        manager.dialog_data["notice"] = render(manager, "broadcasts-admin-failed", motivo=exc.message)
    else:
        manager.dialog_data["notice"] = render(manager, "broadcasts-admin-stopped")
    await manager.switch_to(BroadcastScreen.progress)


def broadcast_dialog() -> Dialog:
    """Compose, audience, category, preview with the audience's size, confirm (once per tap), progress."""
    return Dialog(
        Window(
            Format("{text}"),
            TextInput(id="message", on_success=_composed),
            Column(choices("running", "running", _running_chosen)),
            Cancel(Format("{back}"), id="back"),
            state=BroadcastScreen.compose,
            getter=_compose,
        ),
        Window(
            Format("{text}"),
            Column(choices("audience", "audiences", _audience_chosen)),
            SwitchTo(Format("{back}"), id="back", state=BroadcastScreen.compose),
            state=BroadcastScreen.audience,
            getter=_audiences,
        ),
        Window(
            Format("{text}"),
            Column(choices("category", "categories", _category_chosen)),
            SwitchTo(Format("{back}"), id="back", state=BroadcastScreen.audience),
            state=BroadcastScreen.category,
            getter=_categories,
        ),
        Window(
            Format("{text}"),
            Group(choices("confirm", "confirm", _confirm)),
            SwitchTo(Format("{change}"), id="change", state=BroadcastScreen.compose),
            Cancel(Format("{back}"), id="back"),
            state=BroadcastScreen.preview,
            getter=_preview,
        ),
        Window(
            Format("{text}"),
            SwitchTo(Format("{stop}"), id="stop", state=BroadcastScreen.stop, when="active"),
            Button(Format("{refresh}"), id="refresh", on_click=_stay),
            Cancel(Format("{back}"), id="back"),
            state=BroadcastScreen.progress,
            getter=_progress,
        ),
        Window(
            Format("{text}"),
            Button(Format("{yes}"), id="yes", on_click=_stop),
            Back(Format("{back}"), id="back"),
            state=BroadcastScreen.stop,
            getter=_stop_confirmation,
        ),
        name="broadcasts.admin_broadcast",
    )
