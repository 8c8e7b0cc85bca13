"""aiogram's FSM storage in Redis, shared by every process, keyed as aiogram-dialog requires.

aiogram-dialog keeps each dialog stack under the FSM key plus a *destiny*; aiogram's ``DefaultKeyBuilder``
leaves the destiny out unless ``with_destiny=True``, and then stacks of different dialogs overwrite each
other. aiogram's ``RedisStorage`` does the work; this subclass only turns an unreachable Redis into
:class:`~yabot_adapters.redis.shared.SharedStateUnavailableError`, which the bot answers in Lucien's voice
instead of a bare failure.
"""

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.storage.base import DefaultKeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

from yabot_adapters.redis.shared import SharedRedis, shared_state_errors
from yabot_adapters.telegram.dialog_storage import DialogStorage


def shared_dialog_storage(shared: SharedRedis) -> DialogStorage:
    """The dispatcher's state in Redis and aiogram-dialog's per-chat lock there too, on the shared client.

    Closing it closes nothing: the client belongs to :class:`SharedRedis` (aiogram's isolation closes
    nothing of its own either).
    """
    storage = SharedFsmStorage(shared)
    return DialogStorage(storage, RedisEventIsolation(shared.client, key_builder=storage.key_builder))


class SharedFsmStorage(RedisStorage):
    """``RedisStorage`` under ``<prefix>:fsm``, with the destiny in its keys and Spanish failures."""

    def __init__(self, shared: SharedRedis) -> None:
        super().__init__(
            shared.client, key_builder=DefaultKeyBuilder(prefix=shared.key("fsm"), with_destiny=True)
        )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        with shared_state_errors():
            await super().set_state(key, state)

    async def get_state(self, key: StorageKey) -> str | None:
        with shared_state_errors():
            return await super().get_state(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        with shared_state_errors():
            await super().set_data(key, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        with shared_state_errors():
            return await super().get_data(key)

    async def close(self) -> None:
        """Nothing: the client belongs to :class:`SharedRedis`, closed once by whoever opened it."""
