"""Fans sign in with the ``initData`` Telegram hands a Mini App, signed with the bot's token.

aiogram checks the signature (an HMAC keyed by the token, compared in constant time). It does not check
freshness: ``initData`` stays valid forever, so a copied header would open the fan's data for good. Here
``auth_date`` older than the configured maximum is refused, and one from the future beyond a small clock
skew is treated as forged.
"""

from datetime import datetime, timedelta
from typing import Final

from cachetools import LRUCache

from yabot_adapters.http.auth.errors import InvalidInitDataError, StaleInitDataError
from yabot_adapters.http.auth.principals import Fan
from yabot_core.kernel import MAX_USER_ID, Clock, UserId

MAX_INIT_DATA_LENGTH: Final = 4096
"""Telegram's ``initData`` is a few hundred bytes; anything far longer is refused before hashing it."""

VERIFIED_CACHE_SIZE: Final = 4096
"""Signatures remembered (the ``initData`` of that many recent Mini App sessions, some 2 MB at most)."""

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far in the future an ``auth_date`` may be (the phone's clock, Telegram's and ours differ a little)."""


class InitDataVerifier:
    """Turns a Mini App's ``initData`` into the fan it names, or refuses it.

    Built only in processes that have the bot token (importing aiogram then costs nothing more).
    """

    def __init__(self, bot_token: str, *, max_age: timedelta, clock: Clock) -> None:
        from aiogram.utils import web_app  # noqa: PLC0415  (aiogram only where the bot token is)

        if max_age <= timedelta(0):
            msg = f"max_age must be positive, not {max_age}"
            raise ValueError(msg)
        self._web_app = web_app
        self._token = bot_token
        # A Mini App sends the same initData on every request of a session: its signature is checked once
        # (an HMAC and aiogram's parsing, a quarter of a request's cost), its age on every request.
        self._verified: LRUCache[str, tuple[UserId, datetime]] = LRUCache(maxsize=VERIFIED_CACHE_SIZE)
        self._max_age = max_age
        self._clock = clock

    def verify(self, init_data: str) -> Fan:
        """Return the fan ``init_data`` was signed for.

        Raises:
            InvalidInitDataError: not signed by Telegram for this bot, malformed, or without a user.
            StaleInitDataError: signed longer ago than ``max_age``.
        """
        if len(init_data) > MAX_INIT_DATA_LENGTH:
            raise InvalidInitDataError
        signed = self._verified.get(init_data)
        if signed is None:
            signed = self._signed(init_data)
            self._verified[init_data] = signed
        user_id, auth_date = signed
        now = self._clock.now()
        if auth_date > now + CLOCK_SKEW:
            raise InvalidInitDataError
        if now - auth_date > self._max_age:
            raise StaleInitDataError(detail={"max_age_seconds": int(self._max_age.total_seconds())})
        return Fan(user_id)

    def _signed(self, init_data: str) -> tuple[UserId, datetime]:
        """The user and signing time of ``init_data`` once its signature checks out."""
        try:
            data = self._web_app.safe_parse_webapp_init_data(self._token, init_data)
        except ValueError:  # a bad signature, a malformed string, or fields that fail aiogram's model
            raise InvalidInitDataError from None
        user = data.user
        if user is None or not 0 < user.id <= MAX_USER_ID:
            raise InvalidInitDataError
        return UserId(user.id), data.auth_date
