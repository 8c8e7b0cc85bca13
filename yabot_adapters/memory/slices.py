"""The registry of the in-memory backend: one line per module that keeps data."""

from yabot_adapters.memory import (
    achievements,
    apikeys,
    audit,
    bus,
    daily_gift,
    inventory,
    lucien,
    missions,
    reactions,
    story,
    subscriptions,
    telegram_updates,
    timers,
    users,
    vip_members,
    vip_tokens,
    wallet,
)
from yabot_adapters.memory.slice import MemorySlice

SLICES: tuple[MemorySlice, ...] = (
    bus.SLICE,
    timers.SLICE,
    lucien.SLICE,
    users.SLICE,
    wallet.SLICE,
    inventory.SLICE,
    apikeys.SLICE,
    audit.SLICE,
    subscriptions.SLICE,
    vip_tokens.SLICE,
    vip_members.SLICE,
    story.SLICE,
    daily_gift.SLICE,
    missions.SLICE,
    reactions.SLICE,
    achievements.SLICE,
    telegram_updates.SLICE,
)
