"""/misiones: the fan's missions under way, each with a progress bar, and those already done."""

from typing import Final

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs
from yabot_adapters.texts import Html
from yabot_core.kernel import Phrasebook
from yabot_core.missions import Missions, MissionStatus
from yabot_core.users import Registration

BAR_WIDTH: Final = 10


def setup() -> Router:
    """Return the missions router (private chats: a fan's missions are their own)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(show_missions, Command("misiones"))
    return router


def progress_bar(progress: int, target: int, width: int = BAR_WIDTH) -> str:
    """``▰▰▰▱▱▱▱▱▱▱``: ``progress`` out of ``target``, in ``width`` blocks (never full before it is done)."""
    filled = width if progress >= target else min(width - 1, progress * width // max(target, 1))
    return "▰" * filled + "▱" * (width - filled)


async def show_missions(
    message: Message, registration: Registration, missions: Missions, texts: Phrasebook
) -> None:
    """The missions under way with their bars, then those done; Lucien's word when there are none."""
    user = registration.user
    view = await missions.view(user.user_id)
    if not view.active and not view.completed:
        await message.answer(texts.render("missions-none", nombre=user.display_name))
        return
    active = "\n\n".join(_active(texts, status) for status in view.active)
    done = "\n".join(
        texts.render("missions-done-line", mision=status.definition.title) for status in view.completed
    )
    await message.answer(
        paragraphs(
            texts.render("missions-header", nombre=user.display_name),
            texts.render("missions-active", misiones=Html(active)) if active else "",
            texts.render("missions-completed-list", misiones=Html(done)) if done else "",
        )
    )


def _active(texts: Phrasebook, status: MissionStatus) -> str:
    mission = status.definition
    return texts.render(
        "missions-active-line",
        mision=mission.title,
        tipo=mission.kind.value,
        descripcion=mission.description,
        barra=progress_bar(status.progress, status.target),
        progreso=status.progress,
        objetivo=status.target,
    )
