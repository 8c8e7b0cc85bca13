"""The Bot API's HTTP side that :mod:`yabot_adapters.telegram.testing` imitates: parameters, HTML, errors."""

import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Final

from aiohttp import web

_HTML_TAGS: Final = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)  # fmt: skip
_INT_PARAMS: Final = frozenset(
    {
        "offset", "limit", "timeout", "chat_id", "from_chat_id", "user_id", "message_id",
        "message_thread_id", "reply_to_message_id", "until_date", "expire_date", "member_limit",
        "cache_time", "max_connections",
    }
)  # fmt: skip


class ApiError(Exception):
    """A refusal the fake server answers with, as Telegram does: an HTTP status and a description."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        """The Bot API's error body: ``ok`` false, the code, the description, flood-control parameters."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


class RawAnswerError(ApiError):
    """An answer that is not the Bot API's JSON at all: a proxy's HTML error page, a truncated body."""

    def __init__(self, status: int, body: str, content_type: str) -> None:
        super().__init__(status, body)
        self.body = body
        self.content_type = content_type

    def response(self) -> web.Response:
        """Exactly the body and status asked for."""
        return web.Response(status=self.status, text=self.body, content_type=self.content_type)


SENDING_METHODS: Final = frozenset(
    {
        "sendmessage", "sendphoto", "sendvideo", "sendvoice", "sendaudio", "senddocument", "sendanimation",
        "sendmediagroup", "sendpoll", "sendinvoice", "copymessage", "forwardmessage", "sendsticker",
    }
)  # fmt: skip
"""The methods that send a message: what Telegram's flood limits count."""


@dataclass(slots=True)
class FloodControl:
    """Telegram's limits on sending, enforced: ``per_second`` overall and one per chat per ``chat_interval``.

    At most ``per_second`` messages leave in any one second, and one per ``chat_interval`` seconds to any
    one chat; beyond either the answer is 429 with ``retry_after``. Telegram publishes these as guidance
    ("about 30 messages per second", "no more than one message per second in a single chat") and enforces
    them with 429s; this is the strict reading of both, so a sender that keeps to it keeps to Telegram's.
    ``refused`` counts the 429s given.
    """

    per_second: int = 30
    chat_interval: float = 1.0
    retry_after: int = 1
    clock: Callable[[], float] = time.monotonic
    """Seconds, monotonic: a test may freeze them."""
    refused: int = 0
    _sent: deque[float] = field(default_factory=deque)
    _last_to: dict[object, float] = field(default_factory=dict)

    def check(self, method: str, params: dict[str, Any]) -> None:
        """Refuse a send over either limit (429); count an accepted one against both."""
        if method.lower() not in SENDING_METHODS:
            return
        now = self.clock()
        while self._sent and now - self._sent[0] >= 1.0:
            self._sent.popleft()
        chat = params.get("chat_id")
        last = self._last_to.get(chat)
        if len(self._sent) >= self.per_second or (last is not None and now - last < self.chat_interval):
            self.refused += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}", retry_after=self.retry_after
            )
        self._sent.append(now)
        self._last_to[chat] = now


@dataclass(slots=True)
class _Failure:
    method: str
    error: ApiError
    chat_id: int | str | None
    remaining: int | None


class FailureRules:
    """Errors a test asked for: per method, optionally per chat, optionally a number of times."""

    def __init__(self) -> None:
        self._rules: list[_Failure] = []

    def add(self, method: str, error: ApiError, *, chat_id: int | str | None, times: int | None) -> None:
        """Fail ``method`` (case-insensitive) with ``error``."""
        self._rules.append(_Failure(method.lower(), error, chat_id, times))

    def clear(self) -> None:
        """Forget every rule."""
        self._rules.clear()

    def check(self, method: str, params: dict[str, Any]) -> None:
        """Raise the error of the first rule matching this call, counting it down."""
        for rule in self._rules:
            if rule.method != method.lower():
                continue
            if rule.chat_id is not None and params.get("chat_id") != rule.chat_id:
                continue
            if rule.remaining is not None:
                if rule.remaining <= 0:
                    continue
                rule.remaining -= 1
            raise rule.error


def bot_user(bot_id: int, first_name: str, username: str) -> dict[str, Any]:
    """The bot's own ``User``, as ``getMe`` returns it."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


async def parse_params(request: web.Request) -> dict[str, Any]:
    """A call's parameters from its query string and its JSON, urlencoded or multipart body."""
    params: dict[str, Any] = {key: _coerce(key, value) for key, value in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "content_type": value.content_type}
            else:
                params[key] = _coerce(key, str(value))
    return params


def _coerce(key: str, value: str) -> Any:  # noqa: ANN401  (a form value becomes whatever JSON it holds)
    """Form values are strings; aiogram sends lists and objects as JSON and numbers as digits."""
    if value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if value in ("true", "false"):
        return value == "true"
    if key in _INT_PARAMS and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def render_html(text: str) -> tuple[str, str | None]:
    """Parse a text as Telegram's HTML parse mode; return its plain text and the problem, if any."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    problem = parser.problem
    if problem is None and parser.open_tags:
        problem = f'Can\'t find end tag corresponding to start tag "{parser.open_tags[-1]}"'
    return "".join(parser.plain), problem


class _TelegramHTML(HTMLParser):
    """Telegram accepts a handful of tags, properly nested; anything else is an error, as there."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.plain: list[str] = []
        self.open_tags: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002  (the tag decides)
        if tag not in _HTML_TAGS:
            self._fail(f'Unsupported start tag "{tag}"')
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            expected = f'"</{self.open_tags[-1]}>"' if self.open_tags else "nothing"
            self._fail(f'Unmatched end tag "</{tag}>", expected {expected}')
            return
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        self.plain.append(data)

    def _fail(self, problem: str) -> None:
        if self.problem is None:
            line, column = self.getpos()
            self.problem = f"{problem} at line {line}, column {column}"
