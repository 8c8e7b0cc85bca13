"""/ayuda and /help: the commands of every registered module, as Lucien offers them."""

from collections.abc import Sequence

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import menu as listed
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration


def setup() -> Router:
    """Return the help router (private chats only)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(show_help, Command("ayuda", "help"))
    return router


async def show_help(
    message: Message, registration: Registration, texts: Phrasebook, menu: Sequence[MenuEntry]
) -> None:
    """List what Lucien can do, from the modules' own commands."""
    await message.answer(
        texts.render("bot-help", nombre=registration.user.display_name, ordenes=listed(texts, menu))
    )
