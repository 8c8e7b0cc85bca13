"""/notificaciones: the fan chooses which kinds of broadcasts Lucien may send them."""

from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from yabot_adapters.telegram.filters import PrivateChat
from yabot_adapters.telegram.keyboards.notifications import NotificationCategory, categories_keyboard
from yabot_adapters.telegram.middlewares import registered
from yabot_core.broadcasts import CATEGORIES, Broadcasts
from yabot_core.kernel import Phrasebook
from yabot_core.users import Registration


def setup() -> Router:
    """Return the notifications router (private chats only)."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat(), registered)
    router.callback_query.filter(PrivateChat(), registered)
    router.message.register(show_preferences, Command("notificaciones"))
    router.callback_query.register(toggle_category, NotificationCategory.filter())
    return router


async def show_preferences(
    message: Message, registration: Registration, broadcasts: Broadcasts, texts: Phrasebook
) -> None:
    """The fan's categories, each a button."""
    user = registration.user
    preferences = await broadcasts.preferences(user.user_id)
    await message.answer(
        texts.render("broadcasts-preferences", nombre=user.display_name),
        reply_markup=categories_keyboard(texts, preferences),
    )


async def toggle_category(
    callback: CallbackQuery,
    *,
    callback_data: NotificationCategory,
    registration: Registration,
    broadcasts: Broadcasts,
    texts: Phrasebook,
    bot: Bot,
) -> None:
    """Turn the category on or off, flip its button, and say so in a notice."""
    user_id = registration.user.user_id
    label = CATEGORIES.get(callback_data.category)
    if label is None:  # a button from before a category was removed
        notice = texts.render("broadcasts-category-unknown")
        preferences = await broadcasts.preferences(user_id)
    else:
        preferences = await broadcasts.set_category(user_id, callback_data.category, wanted=callback_data.on)
        notice = texts.render(
            "broadcasts-category-changed", categoria=label, activa="si" if callback_data.on else "no"
        )
    if callback.message is not None:
        with suppress(TelegramBadRequest):  # a message too old to edit keeps its buttons; the notice tells
            await bot.edit_message_reply_markup(
                chat_id=callback.from_user.id,
                message_id=callback.message.message_id,
                reply_markup=categories_keyboard(texts, preferences),
            )
    await callback.answer(notice)
