"""State the processes of one deployment share in Redis: fans' paces, API rate limits, FSM states.

aiogram-dialog keeps its stacks in the FSM storage too. None of it is money or anything else that must
survive: it lives in Redis so that N processes behind one proxy count and remember as one. When Redis does
not answer, every part raises :class:`SharedStateUnavailableError` (transient, Spanish): the bot apologises
in Lucien's voice, the API answers 503, and nothing is written anywhere.
"""

import contextlib
from collections.abc import Iterator
from typing import Any, Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from yabot_core.kernel import UnavailableError

PING_TIMEOUT: Final = 2.0
"""Seconds a command may wait on an unreachable server before it counts as down (not a speed check)."""


class SharedStateUnavailableError(UnavailableError):
    """Redis, which keeps what the processes share, does not answer: try again in a moment."""

    code = "estado_compartido_no_disponible"
    default_message = "Ahora mismo no alcanzo mis notas compartidas; inténtelo de nuevo en un momento."


@contextlib.contextmanager
def shared_state_errors() -> Iterator[None]:
    """Turn the driver's failures (refused, timed out, reset) into :class:`SharedStateUnavailableError`."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise SharedStateUnavailableError(detail={"redis": type(exc).__name__}) from exc


class SharedRedis:
    """One client for the shared state, and the key prefix that keeps a deployment's keys apart.

    Commands time out after :data:`PING_TIMEOUT` seconds, so a fan waits that long at most, not a TCP
    timeout's minutes, when the server is gone.
    """

    def __init__(self, client: "Redis", prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str, **options: Any) -> "SharedRedis":  # noqa: ANN401  (the driver's options)
        """A client of the server at ``url``; its connections are made on first use."""
        options.setdefault("socket_timeout", PING_TIMEOUT)
        options.setdefault("socket_connect_timeout", PING_TIMEOUT)
        return cls(Redis.from_url(url, **options), prefix)

    def key(self, *parts: object) -> str:
        """The key ``<prefix>:<part>:<part>...``."""
        return ":".join((self.prefix, *(str(part) for part in parts)))

    async def ping(self) -> None:
        """Readiness probe: raise :class:`SharedStateUnavailableError` unless Redis answers."""
        with shared_state_errors():
            await self.client.ping()

    async def close(self) -> None:
        """Close the client's connections."""
        await self.client.aclose()
