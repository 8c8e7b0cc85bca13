"""The fallback: whatever no feature understood, in a private chat, gets Lucien's list of services.

Included last in the dispatcher, so it never takes a message a feature router would handle.
"""

from collections.abc import Sequence

from aiogram import Router
from aiogram.types import Message

from yabot_adapters.telegram.commands import MenuEntry
from yabot_adapters.telegram.filters import CommandLike, PrivateChat
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.texts import menu as listed
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration


def setup() -> Router:
    """Return the fallback router (private chats only; groups are not Lucien's to interrupt)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.message.register(unknown_command, CommandLike())
    router.message.register(not_understood)
    return router


async def unknown_command(
    message: Message, registration: Registration, texts: Phrasebook, menu: Sequence[MenuEntry]
) -> None:
    """A command no feature knows."""
    name = registration.user.display_name
    await message.answer(texts.render("bot-unknown-command", nombre=name, ordenes=listed(texts, menu)))


async def not_understood(
    message: Message, registration: Registration, texts: Phrasebook, menu: Sequence[MenuEntry]
) -> None:
    """Plain text, stickers, photos: answered with what Lucien can do."""
    name = registration.user.display_name
    await message.answer(texts.render("bot-not-understood", nombre=name, ordenes=listed(texts, menu)))
