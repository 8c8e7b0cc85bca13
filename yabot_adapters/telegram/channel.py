"""The VIP channel's door in Telegram: invite links, join requests, and showing fans out (ban, then unban).

The bot must be an admin of the channel with the rights to invite users and to ban them; without them
Telegram answers 400/403 and :class:`ChannelRightsError` says so in Spanish. A fan who blocked the bot is
removed all the same: banning needs no private chat.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from yabot_adapters.telegram.messenger import MAX_RETRY_AFTER, OutgoingLimiter
from yabot_core.kernel import UnavailableError, UserId
from yabot_core.subscriptions import ChannelRightsError, VipChannel, link_name

log = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS: Final = 3
_NO_RIGHTS: Final = ("not enough rights", "chat_admin_required", "need administrator rights", "not an admin")
_ALREADY: Final = ("user_already_participant", "hide_requester_missing", "user_not_participant")
_ADMINS: Final = frozenset({"creator", "administrator"})
_INSIDE: Final = frozenset({*_ADMINS, "member", "restricted"})


class TelegramVipChannel(VipChannel):
    """:class:`VipChannel` over the Bot API for the channel ``chat_id``.

    Flood control (429) pauses the process's senders (the shared :class:`OutgoingLimiter`) and is waited
    out in place up to 15 s; longer, or Telegram away, is :class:`UnavailableError` (the bus retries).
    """

    def __init__(self, bot: Bot, chat_id: int, limiter: OutgoingLimiter | None = None) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._limiter = limiter

    @property
    def chat_id(self) -> int:
        """The channel's id."""
        return self._chat_id

    async def remove(self, user_id: UserId) -> None:
        """Ban, then unban (``only_if_banned``), so the fan can come back through a new link."""
        await self._call("expulsar", lambda: self._bot.ban_chat_member(self._chat_id, user_id))
        await self._call(
            "readmitir", lambda: self._bot.unban_chat_member(self._chat_id, user_id, only_if_banned=True)
        )

    async def invite(self, user_id: UserId, *, expires_at: datetime, join_request: bool) -> str:
        """A link named ``vip-<id>``: for one member, or asking to join (Telegram allows one or the other)."""
        link = await self._call(
            "crear enlaces de invitación",
            lambda: self._bot.create_chat_invite_link(
                self._chat_id,
                name=link_name(user_id),
                expire_date=expires_at,
                member_limit=None if join_request else 1,
                creates_join_request=True if join_request else None,
            ),
        )
        return link.invite_link

    async def revoke_invite(self, link: str) -> None:
        """Revoke ``link``."""
        await self._call(
            "revocar enlaces de invitación", lambda: self._bot.revoke_chat_invite_link(self._chat_id, link)
        )

    async def approve(self, user_id: UserId) -> None:
        """Approve a pending join request (one already handled is fine)."""
        await self._call(
            "aprobar solicitudes", lambda: self._bot.approve_chat_join_request(self._chat_id, user_id)
        )

    async def decline(self, user_id: UserId) -> None:
        """Decline a pending join request (one already handled is fine)."""
        await self._call(
            "rechazar solicitudes", lambda: self._bot.decline_chat_join_request(self._chat_id, user_id)
        )

    async def is_admin(self, user_id: UserId) -> bool:
        """Whether the member's status is ``creator`` or ``administrator``."""
        member = await self._call("ver miembros", lambda: self._bot.get_chat_member(self._chat_id, user_id))
        return member is not None and str(member.status) in _ADMINS

    async def is_inside(self, user_id: UserId) -> bool:
        """Whether the member's status is one of those inside the channel."""
        member = await self._call("ver miembros", lambda: self._bot.get_chat_member(self._chat_id, user_id))
        return member is not None and str(member.status) in _INSIDE

    async def _call(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await request()
            except TelegramRetryAfter as exc:
                if self._limiter is not None:
                    self._limiter.pause(exc.retry_after)
                if exc.retry_after > MAX_RETRY_AFTER or attempt == ATTEMPTS:
                    msg = f"Telegram pide esperar {exc.retry_after:g} s antes de {what}."
                    raise UnavailableError(msg) from exc
                await asyncio.sleep(exc.retry_after)
            except TelegramForbiddenError as exc:
                raise ChannelRightsError(self._chat_id, what) from exc
            except TelegramBadRequest as exc:
                text = exc.message.lower()
                if any(part in text for part in _NO_RIGHTS):
                    raise ChannelRightsError(self._chat_id, what) from exc
                if any(part in text for part in _ALREADY):
                    log.info("channel %s: %s: %s (nothing to do)", self._chat_id, what, exc.message)
                    return None  # type: ignore[return-value]  # done already: the caller ignores it
                raise
            except (TelegramServerError, TelegramNetworkError) as exc:
                raise UnavailableError("Telegram no responde en este momento.") from exc
        msg = "unreachable"
        raise AssertionError(msg)
