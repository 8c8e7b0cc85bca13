"""Reactions: a group's ``message_reaction`` updates, and presses on the buttons under channel posts.

Both reach the core's :class:`~yabot_core.reactions.Reactions`, which pays a fan's first reaction to a
message once. Group reactions are answered with nothing (a bot chattering after every reaction would
drown the group); a button press is answered with a short notice only the presser sees, and the post's
counts are refreshed by the :class:`~yabot_adapters.telegram.reaction_posts.ReactionButtonRefresher`.
"""

from typing import Final

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import (
    CallbackQuery,
    MessageReactionUpdated,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    ReactionTypePaid,
)

from yabot_adapters.telegram.keyboards.reactions import ReactionPress
from yabot_adapters.telegram.middlewares import registered
from yabot_adapters.telegram.reaction_posts import ReactionButtonRefresher
from yabot_core.inventory import ItemCatalog
from yabot_core.kernel import Phrasebook, UserId
from yabot_core.reactions import ReactionOutcome, Reactions, ReactionSource
from yabot_core.users import Registration

GROUPS: Final = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
PAID: Final = "⭐"
"""How a paid (Telegram Stars) reaction is recorded: it has no emoji of its own."""


def setup() -> Router:
    """Return the reactions router (groups' reactions; buttons under posts wherever they are)."""
    router = Router(name=__name__)
    router.message_reaction.register(on_group_reaction)
    router.callback_query.filter(registered)
    router.callback_query.register(on_button, ReactionPress.filter())
    return router


def reaction_emoji(update: MessageReactionUpdated) -> str | None:
    """The fan's reaction now: the first of the new ones (``None``: they removed theirs).

    A custom emoji is recorded as ``custom:<id>``, a paid reaction as ⭐.
    """
    for reaction in update.new_reaction:
        if isinstance(reaction, ReactionTypeEmoji):
            return reaction.emoji
        if isinstance(reaction, ReactionTypeCustomEmoji):
            return f"custom:{reaction.custom_emoji_id}"
        if isinstance(reaction, ReactionTypePaid):
            return PAID
    return None


async def on_group_reaction(update: MessageReactionUpdated, reactions: Reactions) -> None:
    """A member of a group reacted: the first reaction to a message pays (silently)."""
    user = update.user
    if update.chat.type not in GROUPS or user is None or user.is_bot:
        return  # anonymous (a channel, an anonymous admin) or a bot: no fan to pay
    await reactions.react(
        UserId(user.id), update.chat.id, update.message_id, reaction_emoji(update), ReactionSource.GROUP
    )


async def on_button(
    callback: CallbackQuery,
    *,
    callback_data: ReactionPress,
    registration: Registration,
    reactions: Reactions,
    reaction_buttons: ReactionButtonRefresher,
    texts: Phrasebook,
) -> None:
    """A press on a post's reaction button: react (or take it back), tell the fan, refresh the counts."""
    message = callback.message
    emoji = reactions.rules.button(callback_data.index)
    if message is None or emoji is None:
        await callback.answer(texts.render("reactions-gone"))
        return
    outcome = await reactions.toggle(
        registration.user.user_id, message.chat.id, message.message_id, emoji, press=callback.id
    )
    reaction_buttons.touch(message.chat.id, message.message_id)
    await callback.answer(_notice(texts, reactions.items, outcome))


def _notice(texts: Phrasebook, items: ItemCatalog, outcome: ReactionOutcome) -> str:
    if outcome.emoji is None:
        return texts.render("reactions-removed")
    if not outcome.first:
        return texts.render("reactions-changed", reaccion=outcome.emoji)
    if outcome.item_id is not None:
        return texts.render(
            "reactions-thanks-item",
            besitos=outcome.besitos,
            objeto=items.name_of(outcome.item_id),
            cantidad=outcome.quantity,
        )
    if outcome.capped:
        return texts.render("reactions-capped")
    return texts.render("reactions-thanks", besitos=outcome.besitos)
