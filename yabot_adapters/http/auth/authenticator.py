"""Reads the ``Authorization`` header: ``Bearer <API key>`` or ``tma <initData>``, nothing else."""

from typing import Final

from yabot_adapters.http.auth.errors import (
    InitDataNotAcceptedError,
    MalformedCredentialsError,
    MissingCredentialsError,
)
from yabot_adapters.http.auth.initdata import InitDataVerifier
from yabot_adapters.http.auth.principals import KeyHolder, Principal
from yabot_core.apikeys import ApiKeys

MAX_HEADER_LENGTH: Final = 8192
"""Far above a key or an ``initData``: longer headers are refused unread."""


class Authenticator:
    """Proves who a request comes from.

    ``keys`` checks API keys against committed storage on every call, so a key revoked by another process
    is refused on its next request. ``init_data`` is ``None`` in processes without a bot token: they cannot
    check Telegram's signature, so they take keys only.
    """

    def __init__(self, keys: ApiKeys, init_data: InitDataVerifier | None) -> None:
        self._keys = keys
        self._init_data = init_data

    async def authenticate(self, authorization: str | None) -> Principal:
        """Return the caller ``authorization`` proves, or raise why not (every reason is a 401).

        Raises:
            NotAuthenticatedError: missing, malformed, forged, stale, unknown or revoked credentials.
            UnavailableError: storage did not answer (a 503: the key may well be good).
        """
        if authorization is None or not authorization.strip():
            raise MissingCredentialsError
        if len(authorization) > MAX_HEADER_LENGTH:
            raise MalformedCredentialsError
        scheme, _, credentials = authorization.strip().partition(" ")
        credentials = credentials.strip()
        if not credentials:
            raise MalformedCredentialsError
        match scheme.lower():  # RFC 9110: the scheme is case-insensitive
            case "bearer":
                return KeyHolder(await self._keys.authenticate(credentials))
            case "tma":
                if self._init_data is None:
                    raise InitDataNotAcceptedError
                return self._init_data.verify(credentials)
            case _:
                raise MalformedCredentialsError
