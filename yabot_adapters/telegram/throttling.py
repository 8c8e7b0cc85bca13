"""Per-user throttling: whoever floods the bot hears Lucien ask for a pause, once, and is ignored briefly.

Each person talking to the bot has a leaky bucket (aiolimiter) of ``rate`` messages per ``period``
seconds. A message or button press that finds the bucket full earns one polite warning, and everything
that user sends for the next ``period`` seconds is dropped unread; by then the bucket is empty and the
user has the full allowance again. Nobody else notices: buckets are per user, and updates that are no
person talking to the bot (group chatter, reactions, membership changes) are never counted.

The counting is a seam (:class:`PaceJudge`): :class:`InProcessPaces` counts in this process's memory (one
process: the embedded profile); ``yabot_adapters.redis.paces.RedisPaces`` counts in Redis, so the N
processes of production count a fan's messages as one.
"""

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User
from aiolimiter import AsyncLimiter
from cachetools import LRUCache

from yabot_adapters.telegram.middlewares import interacting_user, profile_of
from yabot_adapters.telegram.texts import ALERT_LIMIT, plain_text
from yabot_core.kernel import Phrasebook

log = logging.getLogger(__name__)

USERS_TRACKED: Final = 10_000
"""Users whose pace is remembered (the least recently seen are forgotten first, with a bucket long empty)."""

_Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class UserPace:
    """How much one user may send the bot: ``messages`` per ``seconds`` (and the pause a flood earns)."""

    messages: int
    seconds: float


class Verdict(Enum):
    """What to do with one message: let it through, warn once, or drop it unread."""

    ADMIT = "admit"
    WARN = "warn"
    IGNORE = "ignore"


class PaceJudge(Protocol):
    """Counts each user's messages against a :class:`UserPace` and says what to do with the next one."""

    @property
    def pace(self) -> UserPace:
        """The allowance it enforces (the warning's log line names it)."""
        ...

    async def judge(self, user_id: int) -> Verdict:
        """Count one message of ``user_id``; may raise a transient ``YabotError`` when it cannot count."""
        ...


class _Pace:
    """One user's bucket, and until when (loop time) they are being ignored."""

    __slots__ = ("bucket", "quiet_until")

    def __init__(self, pace: UserPace) -> None:
        self.bucket = AsyncLimiter(pace.messages, pace.seconds)
        self.quiet_until = -math.inf


class InProcessPaces:
    """A :class:`PaceJudge` in this process's memory: an aiolimiter bucket per user, ``users`` at most."""

    def __init__(self, pace: UserPace, *, users: int = USERS_TRACKED) -> None:
        self._pace = pace
        self._paces: LRUCache[int, _Pace] = LRUCache(maxsize=users)

    @property
    def pace(self) -> UserPace:
        """The allowance it enforces."""
        return self._pace

    async def judge(self, user_id: int) -> Verdict:
        """Count one message of ``user_id`` and say what to do with it."""
        pace = self._paces.get(user_id)
        if pace is None:
            pace = self._paces[user_id] = _Pace(self._pace)
        now = asyncio.get_running_loop().time()
        if now < pace.quiet_until:
            return Verdict.IGNORE
        if pace.bucket.has_capacity():
            await pace.bucket.acquire()  # returns at once: there is room
            return Verdict.ADMIT
        pace.quiet_until = now + self._pace.seconds
        return Verdict.WARN


class ThrottlingMiddleware(BaseMiddleware):
    """An outer update middleware that lets each user through at their pace and drops the excess.

    It goes after the correlation scope (its log lines carry the update's id) and before the user upsert,
    so a flood costs neither storage nor a handler. ``judge`` counts (in memory by default; in Redis for
    several processes); when it cannot, its transient error reaches the errors router, which asks the user
    to try again in a moment.
    """

    def __init__(self, judge: PaceJudge) -> None:
        self._judge = judge

    async def __call__(self, handler: _Handler, event: TelegramObject, data: dict[str, Any]) -> Any:  # noqa: ANN401  (aiogram's middleware signature)
        if not isinstance(event, Update) or (user := interacting_user(event)) is None:
            return await handler(event, data)
        verdict = await self._judge.judge(user.id)
        if verdict is Verdict.ADMIT:
            return await handler(event, data)
        if verdict is Verdict.WARN:
            pace = self._judge.pace
            log.info(
                "user %s sent over %s per %s s: warned, ignored for now", user.id, pace.messages, pace.seconds
            )
            await _warn(event, user, data["bot"], data["texts"])
        return None


async def _warn(update: Update, user: User, bot: Bot, texts: Phrasebook) -> None:
    """Lucien's one request for a pause: a reply in the private chat, or the pressed button's notice."""
    name = profile_of(user).display_name
    try:
        if update.callback_query is not None:
            alert = plain_text(texts.render("bot-too-fast-button", nombre=name))[:ALERT_LIMIT]
            await update.callback_query.answer(alert)
        else:
            await bot.send_message(user.id, texts.render("bot-too-fast", nombre=name))
    except TelegramAPIError:
        log.warning("could not ask user %s to slow down", user.id, exc_info=True)
