"""What the story suites share: the shipped story and catalog, and the engine over any backend.

The engine is built as the application builds it, from the real modules it depends on (wallet, mochila,
Lucien with the shipped texts, subscriptions for VIP, the shipped missions); only Telegram is replaced, by a
messenger that records.
"""

import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import cache
from pathlib import Path
from typing import Final

import yabot_adapters.texts
import yabot_core.daily_gift  # noqa: F401  (registers the event types the shipped missions count)
from tests.contracts.common import OPERATOR
from tests.contracts.subscription_fixtures import subscription_service
from yabot_adapters.content import load_item_catalog, load_mission_catalog, load_story_library
from yabot_adapters.storage import StorageBackend
from yabot_adapters.texts import Catalog, load_catalog
from yabot_app.content import SHIPPED_ITEMS, SHIPPED_MISSIONS, SHIPPED_STORIES
from yabot_core.inventory import ItemCatalog, Mochila
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.lucien import NAME, Lucien, Messenger, UserContext
from yabot_core.missions import MissionCatalog, Missions
from yabot_core.story import Narrative, StoryLibrary
from yabot_core.subscriptions import SubscriptionService
from yabot_core.users import UserDirectory, UserProfile
from yabot_core.wallet import WalletService

TEXTS: Final = sorted((Path(yabot_adapters.texts.__file__).parent / "es").glob("*.ftl"))
STORY: Final = "el-invernadero"


@cache
def shipped_catalog() -> ItemCatalog:
    """The shipped items catalog (read once per test run)."""
    return load_item_catalog(SHIPPED_ITEMS, None)


@cache
def shipped_missions() -> MissionCatalog:
    """The shipped missions (read once per test run)."""
    return load_mission_catalog(SHIPPED_MISSIONS, None, shipped_catalog())


@cache
def shipped_texts() -> Catalog:
    """The shipped Spanish texts."""
    catalog, problems = load_catalog(TEXTS, rng=random.Random(7))
    assert problems == []
    return catalog


@cache
def shipped_library() -> StoryLibrary:
    """The shipped stories, checked against the shipped catalog and texts."""
    texts = shipped_texts()
    return load_story_library(
        SHIPPED_STORIES,
        None,
        [item.id for item in shipped_catalog().items],
        text_check=lambda text: texts.text_problems(text, {NAME}),
        missions=[mission.id for mission in shipped_missions()],
    )


class RecordingMessenger(Messenger):
    """Delivers by recording (the story's own tests never need Telegram's refusals)."""

    def __init__(self) -> None:
        self.sent: list[tuple[UserId, str]] = []

    async def send(
        self, user_id: UserId, text: str, *, on_turn: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        if on_turn is not None:
            await on_turn()
        self.sent.append((user_id, text))


class NoContext(UserContext):
    """Lucien's context without any module's variables."""

    def names(self) -> frozenset[str]:
        return frozenset()

    async def variables(self, user_id: UserId) -> Mapping[str, object]:
        return {}


@dataclass
class StoryBench:
    """The story engine and the modules it builds on, over one backend."""

    narrative: Narrative
    wallet: WalletService
    mochila: Mochila
    lucien: Lucien
    users: UserDirectory
    subscriptions: SubscriptionService
    messenger: RecordingMessenger
    missions: Missions

    async def register(self, user_id: UserId, name: str = "Ana") -> None:
        """Register a fan (Lucien writes only to people who talk to the bot)."""
        await self.users.register(UserProfile(user_id=user_id, first_name=name))

    async def make_vip(self, user_id: UserId, days: int = 30) -> None:
        """Give the fan VIP, as an operator would."""
        await self.subscriptions.grant(user_id, days=days, actor=OPERATOR, idempotency_key=f"vip-{user_id}")


def story_bench(
    storage: StorageBackend,
    clock: FakeClock,
    *,
    library: StoryLibrary | None = None,
    prefix: str = "n",
    with_missions: bool = True,
    vip_ttl: timedelta = timedelta(0),
) -> StoryBench:
    """The engine over ``storage`` with the shipped catalog, missions and (unless given) stories."""
    ids = SequentialIds(prefix)
    catalog = shipped_catalog()
    wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
    mochila = Mochila(storage.transactions, storage.inventory_queries, catalog, clock, ids)
    users = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
    messenger = RecordingMessenger()
    lucien = Lucien(
        transactions=storage.transactions,
        queries=storage.lucien_queries,
        users=users,
        messenger=messenger,
        phrasebook=shipped_texts(),
        context=NoContext(),
        clock=clock,
        ids=ids,
    )
    subscriptions = subscription_service(storage, clock, prefix=f"{prefix}s", vip_ttl=vip_ttl)
    missions = Missions(
        storage.transactions,
        storage.mission_queries,
        users,
        wallet,
        mochila,
        catalog=shipped_missions(),
        clock=clock,
        ids=ids,
        zone=UTC,
    )
    narrative = Narrative(
        transactions=storage.transactions,
        queries=storage.story_queries,
        library=library or shipped_library(),
        wallet=wallet,
        mochila=mochila,
        lucien=lucien,
        vip=subscriptions.vip,
        clock=clock,
        ids=ids,
        missions=missions if with_missions else None,
    )
    return StoryBench(narrative, wallet, mochila, lucien, users, subscriptions, messenger, missions)
