"""The registry of the SQLite backend: one line per module that keeps data (migrations run in this order)."""

from yabot_adapters.sqlite import (
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
from yabot_adapters.sqlite.slice import SqliteSlice

SLICES: tuple[SqliteSlice, ...] = (
    bus.SLICE,
    timers.SLICE,
    users.SLICE,
    wallet.SLICE,
    inventory.SLICE,
    lucien.SLICE,
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
