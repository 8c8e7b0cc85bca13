"""The posts module's /admin list of upcoming posts: soonest first, one cancelled after a confirmation.

It calls the same service as ``yabot posts cancel`` as the admin pressing (audited as ``posts.cancel``).
"""

import html
import re
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Back, Button, Cancel, Group
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import acting_admin, audit_failure, choices, render, served
from yabot_adapters.telegram.texts import moment
from yabot_adapters.texts import Html
from yabot_core.kernel import YabotError
from yabot_core.posts import Post, PostContent, PostState, ScheduledPosts

LISTED: Final = 10
"""Upcoming posts one screen lists."""
SNIPPET: Final = 40
"""Characters of a post's text the list shows."""


class UpcomingPostsScreen(StatesGroup):
    """The posts still to go out, and the cancellation of one."""

    listing = State()
    cancel = State()


def _with_notice(manager: DialogManager, text: str) -> str:
    notice = manager.dialog_data.pop("notice", "")
    return f"{notice}\n\n{text}" if notice else text


def _zone(manager: DialogManager) -> ZoneInfo:
    zone: ZoneInfo = manager.middleware_data["timezone"]
    return zone


def _snippet(content: PostContent) -> str:
    plain = html.unescape(re.sub(r"<[^>]+>", "", content.text)).replace("\n", " ").strip()
    return plain if len(plain) <= SNIPPET else plain[: SNIPPET - 1] + "…"


async def _upcoming(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    posts = served(dialog_manager, "scheduled_posts", ScheduledPosts)
    upcoming = await posts.listing(states=[PostState.SCHEDULED], limit=LISTED)
    dialog_manager.dialog_data["upcoming"] = [post.post_id for post in upcoming]
    zone = _zone(dialog_manager)
    lines = [
        render(
            dialog_manager,
            "posts-admin-upcoming-line",
            numero=index + 1,
            cuando=moment(post.due_at, zone),
            canal=str(post.channel),
            tipo=post.content.kind,
            texto=_snippet(post.content),
        )
        for index, post in enumerate(upcoming)
    ]
    text = (
        render(dialog_manager, "posts-admin-upcoming", lista=Html("\n".join(lines)))
        if upcoming
        else render(dialog_manager, "posts-admin-upcoming-none")
    )
    return {
        "text": _with_notice(dialog_manager, text),
        "items": [(str(index), str(index + 1)) for index in range(len(upcoming))],
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    listed: list[str] = manager.dialog_data.get("upcoming", [])
    if item.isdecimal() and int(item) < len(listed):
        manager.dialog_data["chosen"] = listed[int(item)]
        await manager.switch_to(UpcomingPostsScreen.cancel)


async def _cancel_confirmation(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    posts = served(dialog_manager, "scheduled_posts", ScheduledPosts)
    post: Post | None
    try:
        post = await posts.get(str(dialog_manager.dialog_data.get("chosen", "")))
    except YabotError:
        post = None
    present = post is not None and post.editable
    text = (
        render(
            dialog_manager,
            "posts-admin-cancel-confirm",
            cuando=moment(post.due_at, _zone(dialog_manager)),
            canal=str(post.channel),
            texto=_snippet(post.content),
        )
        if post is not None and present
        else render(dialog_manager, "posts-admin-cancel-gone")
    )
    return {
        "text": text,
        "present": present,
        "yes": render(dialog_manager, "posts-admin-button-cancel-yes"),
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _cancel(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    post_id = str(manager.dialog_data.get("chosen", ""))
    try:
        await served(manager, "scheduled_posts", ScheduledPosts).cancel(post_id, actor=acting_admin(manager))
    except YabotError as exc:
        await audit_failure(manager, "posts.cancel", f"post:{post_id}", exc)
        manager.dialog_data["notice"] = render(manager, "posts-admin-failed", motivo=exc.message)
    else:
        manager.dialog_data["notice"] = render(manager, "posts-admin-cancelled")
    await manager.switch_to(UpcomingPostsScreen.listing)


def upcoming_dialog() -> Dialog:
    """The posts still to go out, soonest first; one cancelled after a confirmation (audited)."""
    return Dialog(
        Window(
            Format("{text}"),
            Group(
                choices("post", "items", _chosen, label="✖️ {item[1]}"),
                width=5,
            ),
            Cancel(Format("{back}"), id="back"),
            state=UpcomingPostsScreen.listing,
            getter=_upcoming,
        ),
        Window(
            Format("{text}"),
            Button(Format("{yes}"), id="yes", on_click=_cancel, when="present"),
            Back(Format("{back}"), id="back"),
            state=UpcomingPostsScreen.cancel,
            getter=_cancel_confirmation,
        ),
        name="posts.admin_upcoming",
    )
