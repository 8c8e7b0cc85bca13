"""The fallback: whatever no feature understood, in a private chat, gets Lucien's list of services.

Included last in the dispatcher, so it never takes a message a feature router would handle.
"""

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from yabot_adapters.telegram import texts
from yabot_adapters.telegram.middlewares import registered
from yabot_core.users import Registration


def setup() -> Router:
    """Return the fallback router (private chats only; groups are not Lucien's to interrupt)."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type == ChatType.PRIVATE, registered)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(not_understood)
    return router


async def unknown_command(message: Message, registration: Registration) -> None:
    """A command no feature knows."""
    await message.answer(texts.unknown_command(registration.user.display_name))


async def not_understood(message: Message, registration: Registration) -> None:
    """Plain text, stickers, photos: answered with what Lucien can do."""
    await message.answer(texts.not_understood(registration.user.display_name))
