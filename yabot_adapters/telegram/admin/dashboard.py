"""The admin module's own screens: statistics, dead letters (and their replay), what is coming up."""

from typing import TYPE_CHECKING, Any

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Back, Button, Cancel, Column
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import acting_admin, choices, render, served
from yabot_adapters.telegram.texts import moment
from yabot_adapters.texts import Html
from yabot_core.admin import Dashboard, DeadLetterDesk, Replayer
from yabot_core.kernel import YabotError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

LISTED = 10
"""Dead letters and upcoming timers one screen lists."""


class StatisticsScreen(StatesGroup):
    """The figures."""

    main = State()


class DeadLettersScreen(StatesGroup):
    """The waiting dead letters, one of them, the outcome of its replay."""

    listing = State()
    letter = State()


class UpcomingScreen(StatesGroup):
    """The next timers to fire."""

    main = State()


# --- statistics -------------------------------------------------------------------------------------------


async def _statistics(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    figures = await served(dialog_manager, "admin_dashboard", Dashboard).statistics()
    return {
        "text": render(
            dialog_manager,
            "admin-statistics",
            fans=figures.fans,
            vips=figures.vips,
            estrellas=figures.stars,
            pagos=figures.payments,
            besitos=figures.besitos,
            fallidos=figures.dead_letters,
            minimo="si" if figures.dead_letters_floor else "no",
        ),
        "refresh": render(dialog_manager, "admin-button-refresh"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _stay(_callback: CallbackQuery, _button: Button, _manager: DialogManager) -> None:
    """Refreshing is showing the window again, which reads the figures again."""


def statistics_dialog() -> Dialog:
    """Fans, VIPs, Stars, besitos in circulation, dead letters."""
    return Dialog(
        Window(
            Format("{text}"),
            Button(Format("{refresh}"), id="refresh", on_click=_stay),
            Cancel(Format("{back}"), id="back"),
            state=StatisticsScreen.main,
            getter=_statistics,
        ),
        name="admin.statistics",
    )


# --- dead letters -----------------------------------------------------------------------------------------


async def _letters(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    letters = await served(dialog_manager, "dead_letter_desk", DeadLetterDesk).waiting(limit=LISTED)
    dialog_manager.dialog_data["letters"] = [letter.dead_letter_id for letter in letters]
    zone: ZoneInfo = dialog_manager.middleware_data["timezone"]
    lines = [
        render(
            dialog_manager,
            "admin-dead-letter-line",
            numero=index + 1,
            evento=letter.event_type,
            manejador=letter.handler,
            cuando=moment(letter.failed_at, zone),
        )
        for index, letter in enumerate(letters)
    ]
    notice = dialog_manager.dialog_data.pop("notice", "")
    text = (
        render(dialog_manager, "admin-dead-letters", lista=Html("\n".join(lines)))
        if letters
        else render(dialog_manager, "admin-dead-letters-none")
    )
    return {
        "text": f"{notice}\n\n{text}" if notice else text,
        "items": [(str(index), str(index + 1)) for index in range(len(letters))],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _letter(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    desk = served(dialog_manager, "dead_letter_desk", DeadLetterDesk)
    chosen = dialog_manager.dialog_data.get("chosen")
    letter = next((item for item in await desk.waiting(limit=LISTED) if item.dead_letter_id == chosen), None)
    text = (
        render(dialog_manager, "admin-dead-letters-gone")
        if letter is None
        else render(
            dialog_manager,
            "admin-dead-letter",
            evento=letter.event_type,
            manejador=letter.handler,
            intentos=letter.attempts,
            error=letter.error[:300],
        )
    )
    return {
        "text": text,
        "replay": render(dialog_manager, "admin-button-replay"),
        "back": render(dialog_manager, "admin-button-back"),
        "present": letter is not None,
    }


async def _choose(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    listed: list[str] = manager.dialog_data.get("letters", [])
    if item.isdigit() and int(item) < len(listed):
        manager.dialog_data["chosen"] = listed[int(item)]
        await manager.switch_to(DeadLettersScreen.letter)


async def _replay(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    desk = served(manager, "dead_letter_desk", DeadLetterDesk)
    replayer: Replayer | None = manager.middleware_data.get("replayer")
    chosen = manager.dialog_data.get("chosen")
    if replayer is None or not isinstance(chosen, str):
        manager.dialog_data["notice"] = render(manager, "admin-replay-unavailable")
    else:
        try:
            letter = await desk.replay(replayer, chosen, actor=acting_admin(manager))
        except YabotError as exc:
            manager.dialog_data["notice"] = render(manager, "admin-replay-failed", motivo=exc.message)
        else:
            manager.dialog_data["notice"] = render(
                manager, "admin-replay-done", evento=letter.event_type, manejador=letter.handler
            )
    await manager.switch_to(DeadLettersScreen.listing)


def dead_letters_dialog() -> Dialog:
    """The dead letters waiting for a replay; pressing one shows it; replaying it is audited."""
    return Dialog(
        Window(
            Format("{text}"),
            Column(choices("letter", "items", _choose, label="🔁 {item[1]}")),
            Cancel(Format("{back}"), id="back"),
            state=DeadLettersScreen.listing,
            getter=_letters,
        ),
        Window(
            Format("{text}"),
            Button(Format("{replay}"), id="replay", on_click=_replay, when="present"),
            Back(Format("{back}"), id="back"),
            state=DeadLettersScreen.letter,
            getter=_letter,
        ),
        name="admin.dead_letters",
    )


# --- upcoming ---------------------------------------------------------------------------------------------


async def _upcoming(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    timers = await served(dialog_manager, "admin_dashboard", Dashboard).upcoming(limit=LISTED)
    zone: ZoneInfo = dialog_manager.middleware_data["timezone"]
    lines = [
        render(
            dialog_manager,
            "admin-upcoming-line",
            cuando=moment(timer.due_at, zone),
            tipo=timer.kind,
            usuario=str(timer.user_id) if timer.user_id is not None else "-",
        )
        for timer in timers
    ]
    text = (
        render(dialog_manager, "admin-upcoming", lista=Html("\n".join(lines)))
        if timers
        else render(dialog_manager, "admin-upcoming-none")
    )
    return {"text": text, "back": render(dialog_manager, "admin-button-back")}


def upcoming_dialog() -> Dialog:
    """The next durable timers: expiries, reminders, Lucien's messages, auctions closing."""
    return Dialog(
        Window(
            Format("{text}"),
            Cancel(Format("{back}"), id="back"),
            state=UpcomingScreen.main,
            getter=_upcoming,
        ),
        name="admin.upcoming",
    )
