"""Where the bot's dialog state lives (aiogram's FSM storage) and the lock that takes one chat at a time.

``/admin`` is an aiogram-dialog menu: its stack and screens are kept in the dispatcher's FSM storage. One
process keeps them in memory; several processes serving the same admins share them in Redis
(``yabot_adapters.redis.fsm``, with the key builder aiogram-dialog requires and a Redis lock per chat).
"""

from dataclasses import dataclass

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation


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
