"""The /regalo keyboard: one button turning Lucien's evening reminder on or off."""

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from yabot_core.kernel import Phrasebook


class GiftReminder(CallbackData, prefix="dgr"):
    """Turn the evening reminder on (``on``) or off."""

    on: bool


def reminder_keyboard(texts: Phrasebook, *, enabled: bool) -> InlineKeyboardMarkup:
    """The button that offers the opposite of the fan's current choice."""
    if enabled:
        label = texts.render("daily-gift-reminder-off-button")
    else:
        label = texts.render("daily-gift-reminder-on-button")
    button = InlineKeyboardButton(text=label, callback_data=GiftReminder(on=not enabled).pack())
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
