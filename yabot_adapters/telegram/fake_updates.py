"""Updates as the fake Bot API server queues and builds them, under Telegram's ``getUpdates`` rules."""

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

UPDATE_TYPES: Final = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)

DEFAULT_ALLOWED: Final = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
"""What Telegram sends a bot that never chose: everything but these three, which must be asked for."""

_COMMAND: Final = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


@dataclass(slots=True)
class _Queued:
    update: dict[str, Any]
    forced: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


class UpdateQueue:
    """The updates waiting for the bot, under Telegram's ``getUpdates`` rules.

    An update is confirmed, and forgotten, once ``getUpdates`` is called with an ``offset`` above its id; a
    negative offset keeps only that many of the latest. ``allowed_updates`` persists until changed, and
    updates of other types are dropped. A *forced* update (a redelivery) is handed out once whatever the
    offset, as Telegram does after a bot crashed before confirming.
    """

    def __init__(self) -> None:
        self._queue: list[_Queued] = []
        self._allowed = DEFAULT_ALLOWED

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, update: dict[str, Any], *, forced: bool = False) -> None:
        """Queue an update."""
        self._queue.append(_Queued(update, forced=forced))
        self._queue.sort(key=lambda q: q.update_id)

    def allow(self, types: Iterable[str]) -> None:
        """Receive only these update types from now on (an empty list means Telegram's default)."""
        self._allowed = frozenset(types) or DEFAULT_ALLOWED

    def confirm(self, offset: int | None) -> None:
        """Forget the updates an ``offset`` confirms, and those of types the bot did not ask for."""
        self._queue = [q for q in self._queue if update_type(q.update) in self._allowed]
        if offset is None:
            return
        if offset < 0:
            self._queue = self._queue[offset:]
            return
        self._queue = [q for q in self._queue if q.update_id >= offset or (q.forced and not q.delivered)]

    def has_deliverable(self, offset: int | None) -> bool:
        """Whether :meth:`take` would return anything now."""
        return bool(self._deliverable(offset))

    def take(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        """Return up to ``limit`` updates from ``offset`` on, oldest first (they stay until confirmed)."""
        batch = self._deliverable(offset)[:limit]
        for queued in batch:
            queued.delivered = True
        return [queued.update for queued in batch]

    def _deliverable(self, offset: int | None) -> list[_Queued]:
        return [
            q
            for q in self._queue
            if (offset is None or offset < 0 or q.update_id >= offset or (q.forced and not q.delivered))
            and update_type(q.update) in self._allowed
        ]


def private_message(
    message_id: int,
    user_id: int,
    text: str,
    *,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
) -> dict[str, Any]:
    """A text ``Message`` a user sent the bot in their private chat, with a command's entity if any."""
    user = _user(user_id, first_name, last_name, username, language_code)
    chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return _text_message(message_id, chat, user, text)


def group_message(
    message_id: int,
    chat_id: int,
    user_id: int,
    text: str,
    *,
    title: str,
    first_name: str,
    language_code: str | None = None,
) -> dict[str, Any]:
    """A text ``Message`` a user wrote in a supergroup the bot is in, with a command's entity if any."""
    chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
    return _text_message(message_id, chat, _user(user_id, first_name, None, None, language_code), text)


def _user(
    user_id: int, first_name: str, last_name: str | None, username: str | None, language_code: str | None
) -> dict[str, Any]:
    optional = {"last_name": last_name, "username": username, "language_code": language_code}
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        **{key: value for key, value in optional.items() if value is not None},
    }


def _text_message(message_id: int, chat: dict[str, Any], user: dict[str, Any], text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": user,
        "text": text,
    }
    if entities := command_entities(text):
        message["entities"] = entities
    return message


def update_type(update: dict[str, Any]) -> str:
    """The kind of an update: its one field besides ``update_id``."""
    return next((key for key in update if key != "update_id"), "")


def chats_in(update: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The chats an update shows the bot is in (a message's chat, a callback's message's chat, ...)."""
    found: dict[int, dict[str, Any]] = {}
    payload = update.get(update_type(update))
    if not isinstance(payload, dict):
        return found
    for holder in (payload, payload.get("message")):
        if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
            chat = holder["chat"]
            found[int(chat["id"])] = chat
    return found


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity Telegram attaches to a text starting with a command."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    length = len(match.group().encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units
    return [{"type": "bot_command", "offset": 0, "length": length}]
