"""Redis adapters: the event bus on Redis Streams, a consumer group per handler (ADR 0009)."""

from yabot_adapters.redis.bus import RedisEventBus, RedisUnreachableError
from yabot_adapters.redis.streams import PUBLISHER, Layout

__all__ = ["PUBLISHER", "Layout", "RedisEventBus", "RedisUnreachableError"]
