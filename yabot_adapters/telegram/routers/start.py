"""/start: Lucien introduces himself to a new user, or welcomes a returning one."""

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import CommandStart
from aiogram.types import Message

from yabot_adapters.telegram import texts
from yabot_adapters.telegram.middlewares import registered
from yabot_core.users import Registration


def setup() -> Router:
    """Return the /start router (private chats only)."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == ChatType.PRIVATE, registered)
    router.message.register(start, CommandStart())
    return router


async def start(message: Message, registration: Registration, welcome_besitos: int) -> None:
    """Greet the user by name; a new one hears who Lucien is and of Diana's welcome gift.

    The gift itself is credited by the core (``WelcomeGift`` on ``UserRegistered``), not here.
    """
    name = registration.user.display_name
    if registration.created:
        await message.answer(texts.greeting_new(name, welcome_besitos))
    else:
        await message.answer(texts.greeting_returning(name))
