"""The registry of the Mongo backend: one line per module that keeps data."""

from yabot_adapters.mongo import (
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
from yabot_adapters.mongo.slice import MongoSlice

SLICES: tuple[MongoSlice, ...] = (
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
