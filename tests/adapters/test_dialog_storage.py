"""Where /admin's dialogs keep their state: in memory for one process, in Redis shared by several."""

from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from yabot_adapters.redis.fsm import shared_dialog_storage
from yabot_adapters.redis.shared import SharedRedis
from yabot_adapters.telegram.dialog_storage import memory_dialog_storage

BOT, ADMIN = 7, 1001
STACK = StorageKey(bot_id=BOT, chat_id=ADMIN, user_id=ADMIN, destiny="aiogd:stack:")


async def test_two_processes_share_a_dialog_in_redis(
    redis_url: str, redis_prefix: str, redis_client: Redis
) -> None:
    """What one process stores (state and data, per destiny) the other reads, under the configured prefix."""
    one, other = SharedRedis.from_url(redis_url, redis_prefix), SharedRedis.from_url(redis_url, redis_prefix)
    first, second = shared_dialog_storage(one), shared_dialog_storage(other)
    try:
        await first.storage.set_state(STACK, "AdminMenu:menu")
        await first.storage.set_data(STACK, {"stack": ["menu"]})
        assert await second.storage.get_state(STACK) == "AdminMenu:menu"
        assert await second.storage.get_data(STACK) == {"stack": ["menu"]}
        default = StorageKey(bot_id=BOT, chat_id=ADMIN, user_id=ADMIN)
        assert await second.storage.get_state(default) is None  # another destiny, another key
        keys = [key async for key in redis_client.scan_iter(match=f"{redis_prefix}:fsm:*")]
        assert keys
        assert all(":aiogd:stack:" in key for key in keys)
        async with second.isolation.lock(STACK):
            pass  # the per-chat lock is Redis's, not a process's
    finally:
        await first.close()
        await second.close()
        await one.close()
        await other.close()


async def test_memory_keeps_a_dialog_in_this_process() -> None:
    """The default: state in this process's memory, an in-process lock."""
    dialogs = memory_dialog_storage()
    await dialogs.storage.set_state(STACK, "AdminMenu:menu")
    assert await dialogs.storage.get_state(STACK) == "AdminMenu:menu"
    async with dialogs.isolation.lock(STACK):
        pass
    await dialogs.close()
