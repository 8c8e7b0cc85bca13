"""The reaction buttons under the bot's channel posts: one per emoji, each with how many fans chose it."""

from collections.abc import Mapping, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup


class ReactionPress(CallbackData, prefix="rx"):
    """A press on the reaction button at ``index`` (the post's message and chat come with the press)."""

    index: int


def reaction_label(emoji: str, count: int) -> str:
    """``❤️ 3``; a button nobody chose yet shows the emoji alone."""
    return f"{emoji} {count}" if count else emoji


def reaction_keyboard(
    buttons: Sequence[str], counts: Mapping[str, int] | None = None
) -> InlineKeyboardMarkup:
    """One row of reaction buttons with their counts (none given: all at 0)."""
    tally = counts or {}
    row = [
        InlineKeyboardButton(
            text=reaction_label(emoji, tally.get(emoji, 0)), callback_data=ReactionPress(index=index).pack()
        )
        for index, emoji in enumerate(buttons)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])
