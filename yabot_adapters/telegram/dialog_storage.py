"""Where the bot's dialog state lives (aiogram's FSM storage) and the lock that takes one chat at a time.

``/admin`` is an aiogram-dialog menu: its stack and screens are kept in the dispatcher's FSM storage. One
process keeps them in memory; several processes serving the same admins must share them, in Redis, with the
key builder aiogram-dialog requires (``with_destiny``: a key per dialog stack, not only per chat) and a
Redis lock per chat instead of the in-process one.
"""

from dataclasses import dataclass

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage


@dataclass(frozen=True, slots=True)
class DialogStorage:
    """The dispatcher's FSM storage and its per-chat event isolation, chosen together."""

    storage: BaseStorage
    isolation: BaseEventIsolation

    async def close(self) -> None:
        """Close both (a Redis connection pool; nothing for memory)."""
        await self.storage.close()
        await self.isolation.close()


def memory_dialog_storage() -> DialogStorage:
    """State in this process: right for one process (the embedded profile, tests)."""
    return DialogStorage(MemoryStorage(), SimpleEventIsolation())


def redis_dialog_storage(url: str, prefix: str) -> DialogStorage:
    """State in Redis under ``<prefix>:fsm:…``, shared by every process that serves the bot."""
    keys = DefaultKeyBuilder(prefix=f"{prefix}:fsm", with_destiny=True)
    storage = RedisStorage.from_url(url, key_builder=keys)
    return DialogStorage(storage, RedisEventIsolation(storage.redis, key_builder=keys))
