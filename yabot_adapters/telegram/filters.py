"""Filters for hot paths, written as coroutines.

aiogram runs a synchronous filter (a magic ``F`` expression included) in a worker thread, which costs more
than the whole check.
"""

from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message


class PrivateChat(Filter):
    """Only updates from a private chat with the bot (a pressed button: from a message in one)."""

    async def __call__(self, event: Message | CallbackQuery) -> bool:
        """Whether the chat is private."""
        if isinstance(event, CallbackQuery):
            message = event.message
            return message is not None and message.chat.type == ChatType.PRIVATE
        return event.chat.type == ChatType.PRIVATE


class CommandLike(Filter):
    """A text that starts with a slash (a command no other router took)."""

    async def __call__(self, message: Message) -> bool:
        """Whether the message's text looks like a command."""
        return bool(message.text) and message.text.startswith("/")  # type: ignore[union-attr]
