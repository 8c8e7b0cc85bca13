"""YABOT_SHARED_STATE chooses where /admin's dialogs live; the dispatcher uses that storage."""

from pathlib import Path

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from yabot_app.container import build_container
from yabot_app.settings import Settings


def test_the_setting_chooses_the_dialog_storage(tmp_path: Path) -> None:
    """``memory`` by default; ``redis`` gives aiogram's RedisStorage at YABOT_REDIS_URL with our prefix."""
    base = {"storage": "memory", "data_dir": str(tmp_path), "bot_token": "1:x"}
    memory = build_container(Settings.model_validate(base), telegram=True)
    assert isinstance(memory.dialog_storage().storage, MemoryStorage)
    assert memory.dispatcher().storage is memory.dialog_storage().storage
    shared = build_container(
        Settings.model_validate(
            {
                **base,
                "shared_state": "redis",
                "redis_url": "redis://10.0.0.9:6390/2",
                "redis_prefix": "bot",
            }
        ),
        telegram=True,
    )
    storage = shared.dialog_storage().storage
    assert isinstance(storage, RedisStorage)
    key = StorageKey(bot_id=7, chat_id=1001, user_id=1001, destiny="aiogd:stack:")
    assert storage.key_builder.build(key, "data") == "bot:fsm:1001:1001:aiogd:stack::data"
    assert storage.redis.connection_pool.connection_kwargs["port"] == 6390
