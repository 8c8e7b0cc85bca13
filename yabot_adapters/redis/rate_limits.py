"""Litestar's rate-limit counts in Redis, so N processes behind a proxy allow a caller one budget, not N.

Litestar's ``RedisStore`` does the work; this subclass turns an unreachable Redis into
:class:`~yabot_adapters.redis.shared.SharedStateUnavailableError`, which the API answers as a 503 with a
stable code instead of a 500.
"""

from datetime import timedelta

from litestar.stores.redis import RedisStore

from yabot_adapters.redis.shared import SharedRedis, shared_state_errors


class SharedRateLimitStore(RedisStore):
    """``RedisStore`` under ``<prefix>:rate-limit``; the client is :class:`SharedRedis`'s, closed by it."""

    def __init__(self, shared: SharedRedis) -> None:
        super().__init__(shared.client, namespace=shared.key("rate-limit"), handle_client_shutdown=False)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        with shared_state_errors():
            return await super().get(key, renew_for)

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        with shared_state_errors():
            await super().set(key, value, expires_in)
