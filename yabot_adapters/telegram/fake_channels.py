"""Channels as the fake Bot API server keeps them: members, invite links, join requests, and their updates.

What Telegram checks and this imitates: a link cannot both ask to join and have a member limit; only a
pending join request can be approved or declined (once); unbanning with ``only_if_banned`` leaves a member
who is not banned alone.
"""

import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Final

from yabot_adapters.telegram.fake_api import ApiError

METHODS: Final = frozenset(
    {
        "banchatmember",
        "unbanchatmember",
        "createchatinvitelink",
        "revokechatinvitelink",
        "approvechatjoinrequest",
        "declinechatjoinrequest",
        "getchatmember",
    }
)
"""The Bot API methods :class:`FakeChannels` answers (lower case)."""

_MAX_LINK_NAME: Final = 32


def user_of(user_id: int, first_name: str = "Ana") -> dict[str, Any]:
    """A Telegram ``User`` (not a bot)."""
    return {"id": user_id, "is_bot": False, "first_name": first_name}


def channel_chat(chat_id: int, title: str = "Canal VIP de Diana") -> dict[str, Any]:
    """A Telegram ``Chat`` of type channel."""
    return {"id": chat_id, "type": "channel", "title": title}


@dataclass(slots=True)
class FakeChannels:
    """Every channel's members (by status), invite links and pending join requests."""

    bot_id: int
    statuses: dict[tuple[int, int], str] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: set[tuple[int, int]] = field(default_factory=set)
    _numbers: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    def status(self, chat_id: int, user_id: int) -> str:
        """The member's status: ``left`` for someone never seen."""
        return self.statuses.get((chat_id, user_id), "left")

    def answer(self, name: str, params: dict[str, Any]) -> object:
        """The result of one of :data:`METHODS`, or the Bot API's refusal."""
        chat_id = _int(params, "chat_id")
        if name == "createchatinvitelink":
            return self._create_link(chat_id, params)
        if name == "revokechatinvitelink":
            link = self.links.get(str(params.get("invite_link")))
            if link is None:
                raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
            link["is_revoked"] = True
            return link
        return self._member_call(name, chat_id, _int(params, "user_id"), params)

    def _member_call(self, name: str, chat_id: int, user_id: int, params: dict[str, Any]) -> object:
        if name == "getchatmember":
            return _member(self.status(chat_id, user_id), user_id)
        if name == "banchatmember":
            self.statuses[chat_id, user_id] = "kicked"
            return True
        if name == "unbanchatmember":
            if params.get("only_if_banned") and self.status(chat_id, user_id) != "kicked":
                return True
            self.statuses[chat_id, user_id] = "left"
            return True
        if (chat_id, user_id) not in self.requests:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        self.requests.discard((chat_id, user_id))
        if name == "approvechatjoinrequest":
            self.statuses[chat_id, user_id] = "member"
        return True

    def _create_link(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("member_limit")
        if limit is not None and params.get("creates_join_request"):
            raise ApiError(400, "Bad Request: member limit can't be specified for links requiring approval")
        name = params.get("name")
        if name is not None and len(str(name)) > _MAX_LINK_NAME:
            raise ApiError(400, "Bad Request: invite link name is too long")
        url = f"https://t.me/+fake{chat_id}x{next(self._numbers)}"
        link: dict[str, Any] = {
            "invite_link": url,
            "creator": {"id": self.bot_id, "is_bot": True, "first_name": "Lucien"},
            "creates_join_request": bool(params.get("creates_join_request")),
            "is_primary": False,
            "is_revoked": False,
        }
        for key in ("name", "expire_date", "member_limit"):
            if params.get(key) is not None:
                link[key] = params[key]
        self.links[url] = link
        return link

    # --- updates ----------------------------------------------------------------------------------------

    def join_request(
        self, update_id: int, chat_id: int, user_id: int, *, link: str | None = None
    ) -> dict[str, Any]:
        """A ``chat_join_request`` update (the request is pending until approved or declined)."""
        self.requests.add((chat_id, user_id))
        request: dict[str, Any] = {
            "chat": channel_chat(chat_id),
            "from": user_of(user_id),
            "user_chat_id": user_id,
            "date": int(time.time()),
        }
        if link is not None:
            request["invite_link"] = self.links[link]
        return {"update_id": update_id, "chat_join_request": request}

    def member_update(
        self, update_id: int, chat_id: int, user_id: int, status: str, *, link: str | None = None
    ) -> dict[str, Any]:
        """A ``chat_member`` update: ``user_id`` now has ``status`` (through ``link``, for a join)."""
        old = self.status(chat_id, user_id)
        self.statuses[chat_id, user_id] = status
        update: dict[str, Any] = {
            "chat": channel_chat(chat_id),
            "from": user_of(user_id),
            "date": int(time.time()),
            "old_chat_member": _member(old, user_id),
            "new_chat_member": _member(status, user_id),
        }
        if link is not None:
            update["invite_link"] = self.links[link]
        return {"update_id": update_id, "chat_member": update}


def _member(status: str, user_id: int) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user_of(user_id)}
    if status == "kicked":
        member["until_date"] = 0
    if status == "restricted":
        member.update(is_member=True, until_date=0)
    if status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=True,
            can_edit_stories=True,
            can_delete_stories=True,
            can_send_welcome_messages=True,
        )
    if status == "creator":
        member.update(is_anonymous=False)
    return member


def _int(params: dict[str, Any], key: str) -> int:
    value = params.get(key)
    if not isinstance(value, int):
        raise ApiError(400, f"Bad Request: {key} is required")
    return value
