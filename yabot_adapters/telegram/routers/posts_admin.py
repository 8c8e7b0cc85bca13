"""The posts module's /admin scheduling screen: a post composed, placed, timed, previewed and scheduled.

It calls the same service as ``yabot posts schedule`` as the admin pressing (``admin:<id>`` in the
audit log). The admin sends the post as fans will get it (a text, or a photo or video with its caption, its
formatting kept as Telegram HTML); the preview is that post sent back to the admin with the same
``protect_content``, so what Telegram refuses shows up before anything is scheduled. The confirm button
carries a tap id, part of the schedule's idempotency key: a double tap, or Telegram delivering the press
twice, schedules one post; "Programar otra" draws a new tap id.
"""

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import ManagedTextInput, MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, SwitchTo
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import acting_admin, audit_failure, choices, render, served
from yabot_adapters.telegram.routers.post_times import (
    QUICK_HOUR,
    QUICK_TOMORROW,
    QUICK_TONIGHT,
    quick_times,
    typed_time,
)
from yabot_adapters.telegram.texts import moment
from yabot_adapters.texts import Html
from yabot_core.kernel import Clock, YabotError
from yabot_core.posts import (
    MediaKind,
    PostChannel,
    PostContent,
    ScheduledPosts,
    post_content,
    protected,
)

if TYPE_CHECKING:
    from aiogram import Bot

TAP_BYTES: Final = 6
"""Random bytes of the confirm button's tap id (8 characters in its callback data)."""


class ScheduleScreen(StatesGroup):
    """The post, its channel, its time, its protection, the preview and confirmation."""

    compose = State()
    channel = State()
    when = State()
    options = State()
    confirm = State()


# --- shared -----------------------------------------------------------------------------------------------


def _with_notice(manager: DialogManager, text: str) -> str:
    notice = manager.dialog_data.pop("notice", "")
    return f"{notice}\n\n{text}" if notice else text


def _content(manager: DialogManager) -> PostContent:
    return PostContent.model_validate(manager.dialog_data["content"])


def _channel(manager: DialogManager) -> PostChannel:
    return PostChannel(manager.dialog_data["channel"])


def _at(manager: DialogManager) -> datetime:
    return datetime.fromisoformat(str(manager.dialog_data["at"]))


def _protect(manager: DialogManager) -> bool:
    return protected(_channel(manager), requested=bool(manager.dialog_data.get("protect", False)))


def _zone(manager: DialogManager) -> ZoneInfo:
    zone: ZoneInfo = manager.middleware_data["timezone"]
    return zone


def _summary(manager: DialogManager) -> str:
    return render(
        manager,
        "posts-admin-summary",
        tipo=_content(manager).kind,
        canal=str(_channel(manager)),
        cuando=moment(_at(manager), _zone(manager)),
        protegida="si" if _protect(manager) else "no",
    )


# --- compose ----------------------------------------------------------------------------------------------


async def _compose(dialog_manager: DialogManager, **_: object) -> dict[str, str]:
    return {
        "text": _with_notice(dialog_manager, render(dialog_manager, "posts-admin-compose")),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _composed(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    """The admin's message is the post: its text or caption (formatting kept), its photo or video."""
    media: list[tuple[str, str]] = []
    if message.photo:
        media.append((str(MediaKind.PHOTO), message.photo[-1].file_id))
    elif message.video:
        media.append((str(MediaKind.VIDEO), message.video.file_id))
    elif not message.text:
        manager.dialog_data["notice"] = render(manager, "posts-admin-not-publishable")
        return
    try:
        content = post_content(message.html_text, media)
    except YabotError as exc:
        manager.dialog_data["notice"] = render(manager, "posts-admin-failed", motivo=exc.message)
        return
    manager.dialog_data["content"] = content.model_dump(mode="json")
    await manager.switch_to(ScheduleScreen.channel)


# --- channel ----------------------------------------------------------------------------------------------


async def _channels(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    configured: tuple[str, ...] = dialog_manager.middleware_data["posts_channels"]
    text = (
        render(dialog_manager, "posts-admin-channel")
        if configured
        else render(dialog_manager, "posts-admin-no-channels")
    )
    return {
        "text": text,
        "channels": [
            (channel, render(dialog_manager, "posts-admin-button-channel", canal=channel))
            for channel in configured
        ],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _channel_chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    if item in manager.middleware_data["posts_channels"]:
        manager.dialog_data["channel"] = item
        await manager.switch_to(ScheduleScreen.when)


# --- time -------------------------------------------------------------------------------------------------


def _now(manager: DialogManager) -> datetime:
    clock: Clock = manager.middleware_data["posts_clock"]
    return clock.now()


async def _times(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    zone = _zone(dialog_manager)
    choices = quick_times(_now(dialog_manager), zone)
    labels = {
        QUICK_HOUR: render(dialog_manager, "posts-admin-button-in-an-hour"),
        QUICK_TONIGHT: render(dialog_manager, "posts-admin-button-tonight"),
        QUICK_TOMORROW: render(dialog_manager, "posts-admin-button-tomorrow"),
    }
    return {
        "text": _with_notice(dialog_manager, render(dialog_manager, "posts-admin-when", zona=zone.key)),
        "quick": [(key, labels[key]) for key in choices],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _quick_chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    at = quick_times(_now(manager), _zone(manager)).get(item)
    if at is not None:
        manager.dialog_data["at"] = at.isoformat()
        await manager.switch_to(ScheduleScreen.options)


async def _typed(
    _message: Message, _widget: ManagedTextInput[str], manager: DialogManager, text: str
) -> None:
    try:
        at = typed_time(text, _now(manager), _zone(manager))
    except ValueError:
        manager.dialog_data["notice"] = render(manager, "posts-admin-bad-time")
        return
    manager.dialog_data["at"] = at.isoformat()
    await manager.switch_to(ScheduleScreen.options)


# --- options and preview ----------------------------------------------------------------------------------


async def _options(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    vip = _channel(dialog_manager) is PostChannel.VIP
    return {
        "text": _with_notice(
            dialog_manager,
            render(dialog_manager, "posts-admin-options", resumen=Html(_summary(dialog_manager))),
        ),
        "toggle": render(
            dialog_manager, "posts-admin-button-protect", protegida="si" if _protect(dialog_manager) else "no"
        ),
        "free": not vip,
        "preview": render(dialog_manager, "posts-admin-button-preview"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _toggle(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data["protect"] = not manager.dialog_data.get("protect", False)


async def _preview(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Send the post to the admin as fans will see it; the confirmation comes below it."""
    bot: Bot = manager.middleware_data["bot"]
    chat_id = callback.from_user.id
    content, protect = _content(manager), _protect(manager)
    caption = content.text or None
    try:
        if not content.media:
            await bot.send_message(chat_id, content.text, protect_content=protect)
        elif content.media[0].kind is MediaKind.PHOTO:
            await bot.send_photo(chat_id, content.media[0].file, caption=caption, protect_content=protect)
        else:
            await bot.send_video(chat_id, content.media[0].file, caption=caption, protect_content=protect)
    except TelegramAPIError as exc:
        manager.dialog_data["notice"] = render(manager, "posts-admin-refused", motivo=exc.message)
        return
    manager.dialog_data["tap"] = secrets.token_urlsafe(TAP_BYTES)
    manager.show_mode = ShowMode.SEND  # below the preview, not in the message above it
    await manager.switch_to(ScheduleScreen.confirm)


# --- confirm ----------------------------------------------------------------------------------------------


async def _confirmation(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    scheduled = dialog_manager.dialog_data.get("scheduled")
    if scheduled is not None:
        text = render(
            dialog_manager,
            "posts-admin-scheduled",
            id=str(scheduled),
            canal=str(_channel(dialog_manager)),
            cuando=moment(_at(dialog_manager), _zone(dialog_manager)),
        )
    else:
        text = render(dialog_manager, "posts-admin-confirm", resumen=Html(_summary(dialog_manager)))
    tap = str(dialog_manager.dialog_data.get("tap", ""))
    return {
        "text": _with_notice(dialog_manager, text),
        "pending": scheduled is None,
        "done": scheduled is not None,
        "confirm": [(tap, render(dialog_manager, "posts-admin-button-confirm"))],
        "change": render(dialog_manager, "posts-admin-button-change"),
        "another": render(dialog_manager, "posts-admin-button-another"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _confirm(_callback: CallbackQuery, _widget: Any, manager: DialogManager, tap: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    """Schedule the post; the button's tap id makes a double tap one post."""
    if not tap or "content" not in manager.dialog_data:
        return  # not the button this screen drew (a forged or stale press): nothing to do
    posts = served(manager, "scheduled_posts", ScheduledPosts)
    actor = acting_admin(manager)
    try:
        post = await posts.schedule(
            _channel(manager),
            _content(manager),
            at=_at(manager),
            protect=_protect(manager),
            actor=actor,
            idempotency_key=f"admin-post:{actor.label}:{tap}",
        )
    except YabotError as exc:
        await audit_failure(manager, "posts.schedule", "posts", exc)
        manager.dialog_data["notice"] = render(manager, "posts-admin-failed", motivo=exc.message)
        return
    manager.dialog_data["scheduled"] = post.post_id


async def _another(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data.clear()
    await manager.switch_to(ScheduleScreen.compose)


def schedule_dialog() -> Dialog:
    """Compose, channel, time (quick or typed), protection, preview, confirm (once per tap)."""
    return Dialog(
        Window(
            Format("{text}"),
            MessageInput(_composed),
            Cancel(Format("{back}"), id="back"),
            state=ScheduleScreen.compose,
            getter=_compose,
        ),
        Window(
            Format("{text}"),
            Column(choices("channel", "channels", _channel_chosen)),
            SwitchTo(Format("{back}"), id="back", state=ScheduleScreen.compose),
            state=ScheduleScreen.channel,
            getter=_channels,
        ),
        Window(
            Format("{text}"),
            Column(choices("quick", "quick", _quick_chosen)),
            TextInput(id="typed", on_success=_typed),
            SwitchTo(Format("{back}"), id="back", state=ScheduleScreen.channel),
            state=ScheduleScreen.when,
            getter=_times,
        ),
        Window(
            Format("{text}"),
            Button(Format("{toggle}"), id="protect", on_click=_toggle, when="free"),
            Button(Format("{preview}"), id="preview", on_click=_preview),
            SwitchTo(Format("{back}"), id="back", state=ScheduleScreen.when),
            state=ScheduleScreen.options,
            getter=_options,
        ),
        Window(
            Format("{text}"),
            Group(
                choices("confirm", "confirm", _confirm),
                when="pending",
            ),
            SwitchTo(Format("{change}"), id="change", state=ScheduleScreen.options, when="pending"),
            Button(Format("{another}"), id="another", on_click=_another, when="done"),
            Cancel(Format("{back}"), id="back"),
            state=ScheduleScreen.confirm,
            getter=_confirmation,
        ),
        name="posts.admin_schedule",
    )
