"""Blocking the bot and coming back: a user who blocks it is unreachable until they unblock or write again.

Telegram tells the bot in a ``my_chat_member`` update on the user's private chat: status ``kicked`` when
they block it, ``member`` when they unblock it. Neither registers anybody (see
:func:`~yabot_adapters.telegram.middlewares.interacting_user`): an unknown user's block is ignored.
"""

import logging

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from yabot_core.kernel import UserId
from yabot_core.users import UserDirectory

log = logging.getLogger(__name__)


def setup() -> Router:
    """Return the router following the bot's status in private chats."""
    router = Router(name=__name__)
    router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE, F.from_user.is_bot.is_(False))
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router


async def blocked(update: ChatMemberUpdated, users: UserDirectory) -> None:
    """The user blocked the bot: nothing sent to them would arrive, so YABOT stops trying."""
    user = await users.mark_unreachable(UserId(update.from_user.id))
    log.info("user %s blocked the bot%s", update.from_user.id, "" if user else " (not registered; ignored)")


async def unblocked(update: ChatMemberUpdated, users: UserDirectory) -> None:
    """The user unblocked the bot: they can be written to again."""
    await users.mark_reachable(UserId(update.from_user.id))
