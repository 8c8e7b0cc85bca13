"""The module registry: every feature module YABOT runs, one line each (order does not matter)."""

from typing import Any

from yabot_app.modules import (
    achievements,
    admin,
    apikeys,
    auctions,
    audit,
    broadcasts,
    daily_gift,
    inventory,
    lucien,
    missions,
    operations,
    posts,
    ranking,
    reactions,
    store,
    story,
    subscriptions,
    trivia,
    users,
    wallet,
    welcome,
)
from yabot_app.modules.plug import ModulePlug

MODULES: tuple[ModulePlug[Any], ...] = (
    users.PLUG,
    lucien.PLUG,
    wallet.PLUG,
    welcome.PLUG,
    inventory.PLUG,
    apikeys.PLUG,
    audit.PLUG,
    subscriptions.PLUG,
    story.PLUG,
    daily_gift.PLUG,
    reactions.PLUG,
    missions.PLUG,
    achievements.PLUG,
    store.PLUG,
    ranking.PLUG,
    auctions.PLUG,
    trivia.PLUG,
    posts.PLUG,
    broadcasts.PLUG,
    operations.PLUG,
    admin.PLUG,
)
