"""/logros: the fan's logros unlocked, then the next ones with a progress bar."""

from typing import Final

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.routers.missions import progress_bar
from yabot_adapters.telegram.texts import paragraphs
from yabot_adapters.texts import Html
from yabot_core.achievements import Achievements, AchievementStatus
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration

NEXT_SHOWN: Final = 3
"""How many of the logros still to come /logros shows: the closest, so the list stays a nudge."""


def setup() -> Router:
    """Return the logros router (private chats: a fan's logros are their own)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(show_achievements, Command("logros"))
    return router


async def show_achievements(
    message: Message, registration: Registration, achievements: Achievements, texts: Phrasebook
) -> None:
    """The logros unlocked, then the closest ones to come with their bars; Lucien's word when empty."""
    user = registration.user
    view = await achievements.view(user.user_id)
    if not view.unlocked and not view.upcoming:
        await message.answer(texts.render("achievements-none", nombre=user.display_name))
        return
    unlocked = "\n".join(
        texts.render("achievements-unlocked-line", logro=s.definition.title) for s in view.unlocked
    )
    closest = sorted(view.upcoming, key=lambda s: s.progress / s.target, reverse=True)[:NEXT_SHOWN]
    upcoming = "\n\n".join(_upcoming(texts, status) for status in closest)
    await message.answer(
        paragraphs(
            texts.render("achievements-header", nombre=user.display_name, total=len(view.unlocked)),
            texts.render("achievements-unlocked-list", logros=Html(unlocked)) if unlocked else "",
            texts.render("achievements-next", logros=Html(upcoming)) if upcoming else "",
        )
    )


def _upcoming(texts: Phrasebook, status: AchievementStatus) -> str:
    return texts.render(
        "achievements-next-line",
        logro=status.definition.title,
        descripcion=status.definition.description,
        barra=progress_bar(status.progress, status.target),
        progreso=status.progress,
        objetivo=status.target,
    )
