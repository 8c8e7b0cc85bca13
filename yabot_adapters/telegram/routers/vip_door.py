"""The VIP channel's door in the bot: join requests judged, joins through someone else's link undone.

Telegram sends ``chat_join_request`` when someone asks to join through a link that asks, and ``chat_member``
(only to an admin bot, and only when asked for in ``allowed_updates``, which aiogram derives from this
router) when a member's status changes, naming the invite link they came through.
"""

import logging

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.filters import Filter
from aiogram.types import ChatJoinRequest, ChatMemberUpdated

from yabot_core.kernel import UserId
from yabot_core.subscriptions import ChannelRoll, VipDoor

log = logging.getLogger(__name__)

_INSIDE = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.RESTRICTED})


class InChat(Filter):
    """Only updates of one chat (a coroutine: aiogram runs a magic filter in a thread)."""

    def __init__(self, chat_id: int) -> None:
        self._chat_id = chat_id

    async def __call__(self, event: ChatJoinRequest | ChatMemberUpdated) -> bool:
        """Whether the update is about the chat."""
        return event.chat.id == self._chat_id


def setup(door: VipDoor, roll: ChannelRoll, channel_id: int) -> Router:
    """Return the router guarding the VIP channel ``channel_id`` and keeping its ``roll``."""
    router = Router(name=__name__)
    router.chat_join_request.filter(InChat(channel_id))
    router.chat_member.filter(InChat(channel_id))

    @router.chat_join_request()
    async def judge(request: ChatJoinRequest) -> None:
        """Approve a VIP, decline anyone else (Lucien tells them why and how to buy)."""
        approved = await door.on_join_request(UserId(request.from_user.id))
        log.info(
            "join request of %s to the VIP channel %s",
            request.from_user.id,
            "approved" if approved else "declined",
        )

    @router.chat_member()
    async def joined(update: ChatMemberUpdated) -> None:
        """Write down who is inside; one who came in through a link made for another is shown out."""
        inside = update.new_chat_member.status in _INSIDE
        user = UserId(update.new_chat_member.user.id)
        await roll.saw(user, inside=inside, at=update.date)
        came_in = inside and update.old_chat_member.status not in _INSIDE
        if not came_in or update.invite_link is None:
            return
        link = update.invite_link
        await door.on_joined(user, link=link.invite_link, name=link.name)

    return router
