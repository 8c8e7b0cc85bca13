"""The /notificaciones keyboard: one button per category, showing whether it is on, turning it over."""

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_core.broadcasts import CATEGORIES, NotificationPreferences
from yabot_core.kernel import Phrasebook


class NotificationCategory(CallbackData, prefix="ntf"):
    """Turn ``category`` on (``on``) or off."""

    category: str
    on: bool


def categories_keyboard(texts: Phrasebook, preferences: NotificationPreferences) -> InlineKeyboardMarkup:
    """A button per category: ✅ when the fan receives it (pressing turns it off), 🔕 when not."""
    rows = []
    for category, label in CATEGORIES.items():
        wanted = preferences.wants(category)
        if wanted:
            text = texts.render("broadcasts-category-on", categoria=label)
        else:
            text = texts.render("broadcasts-category-off", categoria=label)
        data = NotificationCategory(category=category, on=not wanted).pack()
        rows.append([InlineKeyboardButton(text=text, callback_data=data)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
