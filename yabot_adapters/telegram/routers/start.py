"""/start: Lucien introduces himself to a new user, or welcomes a returning one.

A deep link's payload of the form ``<kind>-…`` (``vip-…``, a VIP token's) belongs to the module that made
it: the greeting leaves such a /start to the later routers, and that module's router handles it.
"""

import re
from typing import Final

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart, Filter
from aiogram.types import Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import paragraphs
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration

MODULE_DEEP_LINK: Final = re.compile(r"[a-z]+-")
"""How a module's deep-link payload begins: its kind and a dash."""


class NotModuleDeepLink(Filter):
    """A /start that is no module's deep link: a plain /start, or a payload of no module's form."""

    async def __call__(self, message: Message, command: CommandObject) -> bool:  # noqa: ARG002  (the command decides)
        """Whether the greeting should take this /start."""
        return not (command.args and MODULE_DEEP_LINK.match(command.args))


def setup() -> Router:
    """Return the /start router (private chats only)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(start, CommandStart(), NotModuleDeepLink())
    return router


async def start(
    message: Message, registration: Registration, texts: Phrasebook, welcome_besitos: int
) -> None:
    """Greet the user by name; a new one hears who Lucien is and of Diana's welcome gift.

    The gift itself is credited by the core (``WelcomeGift`` on ``UserRegistered``), not here.
    """
    name = registration.user.display_name
    if not registration.created:
        await message.answer(texts.render("users-greeting-returning", nombre=name))
        return
    gift = texts.render("users-greeting-gift", regalo=welcome_besitos) if welcome_besitos > 0 else ""
    await message.answer(
        paragraphs(
            texts.render("users-greeting-new", nombre=name), gift, texts.render("users-greeting-howto")
        )
    )
