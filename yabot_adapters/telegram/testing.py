"""A fake Telegram Bot API server on loopback, for tests, benchmarks and developers (needs only aiohttp).

It speaks the Bot API's HTTP shape (``POST /bot<token>/<method>``, JSON or form bodies), so the real aiogram
Bot and Dispatcher run against it unchanged: feed it updates, let the bot poll them, read what it sent.
"""

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from yabot_adapters.telegram.fake_api import (
    ApiError,
    FailureRules,
    FloodControl,
    RawAnswerError,
    bot_user,
    parse_params,
    render_html,
)
from yabot_adapters.telegram.fake_channels import METHODS as CHANNEL_METHODS
from yabot_adapters.telegram.fake_channels import FakeChannels
from yabot_adapters.telegram.fake_payments import (
    StarsLedger,
    invoice_message,
    payment_message,
    pre_checkout_query,
)
from yabot_adapters.telegram.fake_polls import FakePolls
from yabot_adapters.telegram.fake_updates import UpdateQueue, chats_in, group_message, private_message

DEFAULT_TOKEN: Final = "123456789:TEST-fake-telegram-token"  # noqa: S105  (only the fake server knows it)


MEDIA_METHODS: Final = {"sendphoto": "photo", "sendvideo": "video", "sendvoice": "voice"}
"""Media sends the fake answers (by URL or file id), and the parameter each carries its media in."""


@dataclass(slots=True)
class RecordedCall:
    """One Bot API call the server received: the method as sent, its parameters, the HTTP status given.

    Calls are recorded as they arrive; ``status`` is 0 while the answer is pending (a long poll).
    """

    method: str
    params: dict[str, Any]
    status: int = 0

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == 200  # noqa: PLR2004  (HTTP OK)


class FakeTelegramServer:
    """A Bot API server that records every call and serves fed updates to long polling.

    Telegram's rules it keeps: an update is confirmed (forgotten) once ``getUpdates`` asks for an ``offset``
    above its id; ``allowed_updates`` persists between calls; HTML texts must be well formed, so a forgotten
    ``html.escape`` fails as it would in production; a message to a chat that never wrote to the bot fails
    with "chat not found" (unless ``known_chats_only`` is off).

    ``sent`` lists every call received, failed ones included, in order.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "yabot_test_bot",
        bot_first_name: str = "Lucien",
        known_chats_only: bool = True,
        flood: FloodControl | None = None,
    ) -> None:
        self.token = token
        self.flood = flood
        """Telegram's sending limits, enforced when given (429 beyond them); off by default."""
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.known_chats_only = known_chats_only
        self.sent: list[RecordedCall] = []
        self._updates = UpdateQueue()
        self._chats: dict[int, dict[str, Any]] = {}
        self._failures = FailureRules()
        self._delays: dict[str, float] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._tick = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closing = False
        self.stars = StarsLedger()
        """Who paid each charge, and what was refunded (``refundStarPayment`` checks both)."""
        self.channels = FakeChannels(self.bot_id)
        """Channels' members, invite links and join requests (``banChatMember``, ``getChatMember``...)."""
        self.webhook: dict[str, Any] | None = None
        """``setWebhook``'s parameters while a webhook is set (``getUpdates`` is refused meanwhile)."""
        self.polls = FakePolls()
        """The polls the bot sent (``sendPoll``), by poll id; :meth:`poll_answer_update` answers them."""

    # --- lifecycle --------------------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on a free loopback port; return the base URL to give ``create_bot(api_url=...)``."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._closing = False
        self._base_url = f"http://{host}:{port}"
        return self._base_url

    async def stop(self) -> None:
        """Answer every waiting long poll with no updates, then shut the server down."""
        self._closing = True
        self._touch()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeTelegramServer":
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The URL :meth:`start` returned."""
        if self._base_url is None:
            msg = "the fake Telegram server is not started"
            raise RuntimeError(msg)
        return self._base_url

    @property
    def bot_id(self) -> int:
        """The bot's user id (the token's first part, as Telegram does)."""
        return int(self.token.split(":", 1)[0])

    # --- updates ----------------------------------------------------------------------------------------

    def message_update(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "es",
    ) -> dict[str, Any]:
        """Build a private-chat text message update (commands get their ``bot_command`` entity)."""
        return {
            "update_id": next(self._update_ids),
            "message": private_message(
                next(self._message_ids),
                user_id,
                text,
                first_name=first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
            ),
        }

    def group_message_update(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        title: str = "Salón de Diana",
        first_name: str = "Ana",
        language_code: str | None = "es",
    ) -> dict[str, Any]:
        """Build a text message update from a supergroup (``chat_id`` negative, as Telegram's are)."""
        return {
            "update_id": next(self._update_ids),
            "message": group_message(
                next(self._message_ids),
                chat_id,
                user_id,
                text,
                title=title,
                first_name=first_name,
                language_code=language_code,
            ),
        }

    def pre_checkout_update(
        self,
        user_id: int,
        payload: str,
        total_amount: int,
        *,
        currency: str = "XTR",
        first_name: str = "Ana",
    ) -> dict[str, Any]:
        """Build a ``pre_checkout_query`` update: the fan pressed Pay on an invoice (amounts as given)."""
        update_id = next(self._update_ids)
        query = pre_checkout_query(
            f"pcq-{update_id}",
            user_id,
            payload=payload,
            total_amount=total_amount,
            currency=currency,
            first_name=first_name,
        )
        return {"update_id": update_id, "pre_checkout_query": query}

    def payment_update(
        self,
        user_id: int,
        payload: str,
        total_amount: int,
        charge_id: str,
        *,
        currency: str = "XTR",
        first_name: str = "Ana",
    ) -> dict[str, Any]:
        """Build the ``successful_payment`` message update; the charge becomes refundable to ``user_id``."""
        self.stars.payers[charge_id] = user_id
        message = payment_message(
            next(self._message_ids),
            user_id,
            payload=payload,
            total_amount=total_amount,
            currency=currency,
            charge_id=charge_id,
            first_name=first_name,
        )
        return {"update_id": next(self._update_ids), "message": message}

    def join_request_update(self, chat_id: int, user_id: int, *, link: str | None = None) -> dict[str, Any]:
        """Build a ``chat_join_request`` to channel ``chat_id``; the bot may then write to the user."""
        self._chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": "Ana"})
        return self.channels.join_request(next(self._update_ids), chat_id, user_id, link=link)

    def chat_member_update(
        self, chat_id: int, user_id: int, status: str = "member", *, link: str | None = None
    ) -> dict[str, Any]:
        """Build a ``chat_member`` update: ``user_id`` has ``status`` in ``chat_id`` (through ``link``)."""
        return self.channels.member_update(next(self._update_ids), chat_id, user_id, status, link=link)

    def poll_answer_update(
        self, poll_id: str, user_id: int, option_ids: list[int], *, first_name: str = "Ana"
    ) -> dict[str, Any]:
        """Build a ``poll_answer`` update: ``user_id`` chose ``option_ids`` in a poll the bot sent."""
        return self.polls.answer_update(
            next(self._update_ids), poll_id, user_id, option_ids, first_name=first_name
        )

    def next_update_id(self) -> int:
        """Reserve an update id, for hand-built updates of other kinds."""
        return next(self._update_ids)

    def feed(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot's next ``getUpdates``; return it.

        The update is served exactly as given, checked for nothing but its ``update_id``: feed a malformed
        one (a message without ``chat``, say) to see what the bot makes of what it cannot read.
        """
        self._chats.update(chats_in(update))
        self._updates.add(update)
        self._touch()
        return update

    def introduce(self, update: dict[str, Any]) -> dict[str, Any]:
        """Note the chats of an update the bot gets some other way (a webhook), so it may answer them."""
        self._chats.update(chats_in(update))
        return update

    def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver an update again even if it was confirmed, as Telegram does after the bot crashed."""
        self._updates.add(update, forced=True)
        self._touch()

    @property
    def pending_updates(self) -> int:
        """Updates queued and not confirmed yet."""
        return len(self._updates)

    # --- failures ---------------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        chat_id: int | str | None = None,
        times: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make ``method`` fail with an HTTP ``status`` and Telegram ``description``.

        Only for calls to ``chat_id`` if given; only the next ``times`` calls if given (else until
        :meth:`clear_failures`). ``retry_after`` adds Telegram's flood-control parameter (use status 429).
        """
        self._failures.add(method, ApiError(status, description, retry_after), chat_id=chat_id, times=times)

    def slow(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (a Telegram that answers slowly); ``0`` undoes it."""
        if seconds > 0:
            self._delays[method.lower()] = seconds
        else:
            self._delays.pop(method.lower(), None)

    def answer_raw(
        self,
        method: str,
        status: int,
        body: str,
        *,
        content_type: str = "text/html",
        times: int | None = None,
    ) -> None:
        """Answer ``method`` with ``body`` as is, under ``status``: no Bot API JSON at all.

        What a proxy in front of the Bot API sends when it fails (an HTML 502 page), or a truncated answer.
        Only the next ``times`` calls if given (else until :meth:`clear_failures`).
        """
        self._failures.add(method, RawAnswerError(status, body, content_type), chat_id=None, times=times)

    def block(self, chat_id: int) -> None:
        """Answer every message to ``chat_id`` as Telegram does once that user blocked the bot."""
        self.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=chat_id)

    def clear_failures(self) -> None:
        """Let every method succeed again."""
        self._failures.clear()

    # --- what the bot did -------------------------------------------------------------------------------

    def calls(self, method: str) -> list[RecordedCall]:
        """Every recorded call of ``method`` (case-insensitive), failed ones included."""
        return [call for call in self.sent if call.method.lower() == method.lower()]

    def messages(self, chat_id: int) -> list[str]:
        """The texts (as sent, with their HTML) of the messages delivered to ``chat_id``, in order."""
        return [
            str(call.params.get("text", ""))
            for call in self.calls("sendMessage")
            if call.ok and call.params.get("chat_id") == chat_id
        ]

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109  (a helper's own deadline reads better in every test)
    ) -> list[str]:
        """Wait until ``chat_id`` has received ``count`` messages in all; return all its texts.

        Raises:
            TimeoutError: fewer arrived in time (the message lists what the bot did send).
        """
        if not await self._wait_until(lambda: len(self.messages(chat_id)) >= count, timeout):
            got = self.messages(chat_id)
            methods = [call.method for call in self.sent]
            msg = f"chat {chat_id} got {len(got)} of {count} messages {got!r}; calls were {methods}"
            raise TimeoutError(msg)
        return self.messages(chat_id)

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109  (a helper's own deadline reads better in every test)
    ) -> RecordedCall:
        """Wait until ``method`` was called ``count`` times in all; return that call.

        For instance ``wait_for_call("getUpdates")`` returns once the bot is polling.
        """
        if not await self._wait_until(lambda: len(self.calls(method)) >= count, timeout):
            methods = [call.method for call in self.sent]
            msg = f"the bot called {method} fewer than {count} times; calls were {methods}"
            raise TimeoutError(msg)
        return self.calls(method)[count - 1]

    async def wait_for_confirmation(
        self,
        update_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109  (a helper's own deadline reads better in every test)
    ) -> RecordedCall:
        """Wait until the bot confirmed ``update_id``: a ``getUpdates`` with a higher offset; return it.

        The update was handed to the dispatcher by then; its handling may still be under way.
        """
        found: list[RecordedCall] = []

        def confirmed() -> bool:
            found[:] = [call for call in self.calls("getUpdates") if _offset_of(call) > update_id][:1]
            return bool(found)

        await self.wait_until(confirmed, timeout)
        return found[0]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109  (a helper's own deadline reads better in every test)
    ) -> None:
        """Wait until ``condition()`` holds; it is checked again after every call the server sees.

        Raises:
            TimeoutError: it did not hold in time (the message lists the latest calls received).
        """
        if not await self._wait_until(condition, timeout):
            latest = [f"{call.method} ({call.status})" for call in self.sent[-20:]]
            msg = f"not so after {timeout} s; of {len(self.sent)} calls, the latest were {latest}"
            raise TimeoutError(msg)

    # --- the HTTP side ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        call = RecordedCall(method, await parse_params(request))
        self.sent.append(call)
        self._touch()
        delay = self._delays.get(method.lower())
        if delay:
            await asyncio.sleep(delay)
        try:
            self._failures.check(method, call.params)
            if self.flood is not None:
                self.flood.check(method, call.params)
            result = await self._answer(method, call.params)
        except ApiError as exc:
            self._finish(call, exc.status)
            return exc.response()
        self._finish(call, 200)
        return web.json_response({"ok": True, "result": result})

    def _finish(self, call: RecordedCall, status: int) -> None:
        call.status = status
        self._touch()

    async def _answer(self, method: str, params: dict[str, Any]) -> object:
        name = method.lower()
        if name == "getupdates":
            return await self._get_updates(params)
        return self._answer_at_once(name, params)

    def _answer_at_once(self, name: str, params: dict[str, Any]) -> object:
        """Every method but getUpdates (which may wait for updates): answered on the spot."""
        if name == "getme":
            return bot_user(self.bot_id, self.bot_first_name, self.bot_username)
        if name in {"sendmessage", "sendpoll", "editmessagetext"} or name in MEDIA_METHODS:
            return self._send(name, params)
        if name in {"sendinvoice", "answerprecheckoutquery", "refundstarpayment"}:
            return self._stars_call(name, params)
        if name in CHANNEL_METHODS:
            return self.channels.answer(name, params)
        if name in {"setwebhook", "deletewebhook", "getwebhookinfo"}:
            return self._webhook_call(name, params)
        return True  # setMyCommands, close, logOut and anything else

    def _webhook_call(self, name: str, params: dict[str, Any]) -> object:
        """``setWebhook`` (an HTTPS URL, a secret of Telegram's alphabet), ``deleteWebhook``, the info."""
        if name == "setwebhook":
            url = params.get("url")
            if not isinstance(url, str) or not url.startswith("https://"):
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
            secret = params.get("secret_token")
            if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
                raise ApiError(400, "Bad Request: secret token contains unallowed characters")
            self.webhook = dict(params)
            return True
        if name == "deletewebhook":
            self.webhook = None
            return True
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook and "allowed_updates" in self.webhook:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook first"
            )
        offset = params.get("offset")
        limit = max(1, min(int(params.get("limit", 100)), 100))
        timeout = max(0, int(params.get("timeout", 0)))
        if "allowed_updates" in params:
            self._updates.allow(params["allowed_updates"])
        self._updates.confirm(offset)
        await self._wait_until(lambda: self._closing or self._updates.has_deliverable(offset), timeout)
        if self._closing:
            return []
        return self._updates.take(offset, limit)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or (self.known_chats_only and chat_id not in self._chats):
            raise ApiError(400, "Bad Request: chat not found")
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            plain, problem = render_html(text)
            if problem:
                raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
            text = plain
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:  # noqa: PLR2004  (Telegram's limit on a message's text)
            raise ApiError(400, "Bad Request: message is too long")
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"})
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": bot_user(self.bot_id, self.bot_first_name, self.bot_username),
            "text": text,
        }

    def _edit_message(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        """A message's new text (Telegram answers with the edited message; with an inline one, ``True``)."""
        if "inline_message_id" in params:
            return True
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message to edit not found")
        edited = self._send_message(params)
        edited["message_id"] = message_id
        edited["edit_date"] = edited["date"]
        return edited

    def _send_media(self, field: str, params: dict[str, Any]) -> dict[str, Any]:
        """A photo, video or voice note by URL or file id, answered as Telegram would (recorded as sent)."""
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or (self.known_chats_only and chat_id not in self._chats):
            raise ApiError(400, "Bad Request: chat not found")
        source = params.get(field)
        if not isinstance(source, str) or not source.strip():
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"})
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": bot_user(self.bot_id, self.bot_first_name, self.bot_username),
            "caption": str(params.get("caption", "")) or None,
        }

    def _send(self, name: str, params: dict[str, Any]) -> object:
        """A text, a medium, a poll or a text edited, answered as Telegram would (recorded as sent)."""
        if name in MEDIA_METHODS:
            return self._send_media(MEDIA_METHODS[name], params)
        if name == "editmessagetext":
            return self._edit_message(params)
        return self._send_poll(params) if name == "sendpoll" else self._send_message(params)

    def _send_poll(self, params: dict[str, Any]) -> object:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or (self.known_chats_only and chat_id not in self._chats):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"})
        me = bot_user(self.bot_id, self.bot_first_name, self.bot_username)
        return self.polls.send(params, chat, next(self._message_ids), me)

    def _stars_call(self, name: str, params: dict[str, Any]) -> object:
        if name == "answerprecheckoutquery":
            self.stars.check_pre_checkout_answer(params)
            return True
        if name == "refundstarpayment":
            self.stars.refund(params)
            return True
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or (self.known_chats_only and chat_id not in self._chats):
            raise ApiError(400, "Bad Request: chat not found")
        self.stars.check_invoice(params)
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private"})
        me = bot_user(self.bot_id, self.bot_first_name, self.bot_username)
        return invoice_message(next(self._message_ids), chat, params, me)

    # --- waiting ----------------------------------------------------------------------------------------

    def _touch(self) -> None:
        """Wake everything waiting for a change (a fed update, a recorded call, the server stopping)."""
        self._tick.set()
        self._tick = asyncio.Event()

    async def _wait_until(self, condition: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return condition()
            tick = self._tick
            try:
                await asyncio.wait_for(tick.wait(), remaining)
            except TimeoutError:
                return condition()
        return True


def _offset_of(call: RecordedCall) -> int:
    offset = call.params.get("offset")
    return offset if isinstance(offset, int) else 0


__all__ = ["DEFAULT_TOKEN", "FakeTelegramServer", "FloodControl", "RecordedCall"]
