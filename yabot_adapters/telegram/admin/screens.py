"""What every admin screen needs: Lucien's texts, the acting admin, and the services, from the dialog."""

from typing import TYPE_CHECKING, Any, TypeVar

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Select
from aiogram_dialog.widgets.text import Format

from yabot_core.admin import AdminGate
from yabot_core.audit import Actor
from yabot_core.kernel import Phrasebook, UserId, YabotError

if TYPE_CHECKING:
    from aiogram.types import User
    from aiogram_dialog.widgets.kbd.select import OnItemClick

T = TypeVar("T")


def render(manager: DialogManager, message_id: str, /, **args: object) -> str:
    """The text ``message_id`` of the catalog (the dispatcher's ``texts``), filled in."""
    texts: Phrasebook = manager.middleware_data["texts"]
    return texts.render(message_id, **args)  # texts: the caller's id, checked as DIALOG_TEXT


def served(manager: DialogManager, name: str, kind: type[T]) -> T:
    """The workflow data ``name`` (a module's service), checked to be a ``kind``."""
    service: Any = manager.middleware_data[name]
    if not isinstance(service, kind):
        msg = f"workflow data {name!r} is a {type(service).__name__}, not a {kind.__name__}"
        raise TypeError(msg)
    return service


def acting_admin(manager: DialogManager) -> Actor:
    """The admin pressing the buttons, as the audit log names them."""
    user: User = manager.middleware_data["event_from_user"]
    return Actor.admin(UserId(user.id))


async def audit_failure(manager: DialogManager, action: str, target: str, error: YabotError) -> None:
    """Record that the admin's ``action`` on ``target`` was refused with ``error`` (nothing changed)."""
    await served(manager, "admin_gate", AdminGate).failed(acting_admin(manager), action, target, error)


def choices(
    widget_id: str, items: str, on_click: "OnItemClick[Any, str]", *, label: str = "{item[1]}"
) -> Select[str]:
    """A button per ``(id, text)`` pair the getter gives under ``items``; a press hands ``on_click`` the id.

    What every menu of choices in the admin screens is (channels, audiences, plans, questions…).
    """
    return Select(
        Format(label), id=widget_id, item_id_getter=lambda item: item[0], items=items, on_click=on_click
    )
