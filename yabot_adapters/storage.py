"""What every storage backend offers the application: one object per backend serving all the core's ports.

Both Protocols are compositions of the core modules' own: one line per module that keeps data. A backend
serves them from its registry of slices (one file per module in each backend).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

from yabot_adapters.units import CommitListener
from yabot_core.achievements import AchievementStorage, AchievementsUnitOfWork
from yabot_core.apikeys import ApiKeyStorage, ApiKeysUnitOfWork
from yabot_core.auctions import AuctionStorage, AuctionsUnitOfWork
from yabot_core.audit import AuditStorage, AuditUnitOfWork
from yabot_core.broadcasts import BroadcastStorage, BroadcastsUnitOfWork
from yabot_core.daily_gift import DailyGiftStorage, DailyGiftUnitOfWork
from yabot_core.inventory import InventoryStorage, InventoryUnitOfWork
from yabot_core.kernel import (
    BusUnitOfWork,
    DeadLetterQueries,
    EventRouter,
    OutboxStore,
    TimerStore,
    TimersUnitOfWork,
    Transactions,
    UpdateInbox,
)
from yabot_core.lucien import LucienStorage, LucienUnitOfWork
from yabot_core.missions import MissionStorage, MissionsUnitOfWork
from yabot_core.posts import PostStorage, PostsUnitOfWork
from yabot_core.ranking import RankingStorage, RankingUnitOfWork
from yabot_core.reactions import ReactionStorage, ReactionsUnitOfWork
from yabot_core.store import StoreStorage, StoreUnitOfWork
from yabot_core.story import StoryStorage, StoryUnitOfWork
from yabot_core.subscriptions import (
    ChannelMemberStorage,
    ChannelMembersUnitOfWork,
    SubscriptionStorage,
    SubscriptionsUnitOfWork,
    VipTokenStorage,
    VipTokensUnitOfWork,
)
from yabot_core.trivia import TriviaStorage, TriviaUnitOfWork
from yabot_core.users import UserStorage, UsersUnitOfWork
from yabot_core.wallet import WalletStorage, WalletUnitOfWork


class StorageUnitOfWork(  # a module's unit of work before those it extends (Python's method order)
    StoryUnitOfWork,
    StoreUnitOfWork,
    RankingUnitOfWork,
    AuctionsUnitOfWork,
    TriviaUnitOfWork,
    PostsUnitOfWork,
    BroadcastsUnitOfWork,
    DailyGiftUnitOfWork,
    MissionsUnitOfWork,
    ReactionsUnitOfWork,
    AchievementsUnitOfWork,
    VipTokensUnitOfWork,
    ChannelMembersUnitOfWork,
    SubscriptionsUnitOfWork,
    LucienUnitOfWork,
    BusUnitOfWork,
    TimersUnitOfWork,
    UsersUnitOfWork,
    WalletUnitOfWork,
    InventoryUnitOfWork,
    ApiKeysUnitOfWork,
    AuditUnitOfWork,
    Protocol,
):
    """A unit of work over every module's repositories; it satisfies each module's unit of work."""


class StorageBackend(
    LucienStorage,
    UserStorage,
    WalletStorage,
    InventoryStorage,
    ApiKeyStorage,
    AuditStorage,
    SubscriptionStorage,
    ChannelMemberStorage,
    VipTokenStorage,
    StoryStorage,
    DailyGiftStorage,
    MissionStorage,
    ReactionStorage,
    AchievementStorage,
    StoreStorage,
    RankingStorage,
    AuctionStorage,
    TriviaStorage,
    PostStorage,
    BroadcastStorage,
    Protocol,
):
    """A storage technology serving the core: transactions, each module's read models, the outbox, timers.

    ``open`` prepares the schema (tables, collections, indexes: the migration) and must be called first;
    ``close`` waits for transactions in flight, then releases connections.
    """

    @property
    def transactions(self) -> Transactions[StorageUnitOfWork]:
        """Atomic units of work."""
        ...

    @property
    def outbox(self) -> OutboxStore:
        """Committed events awaiting delivery, per handler; the relays' leases."""
        ...

    @property
    def dead_letter_queries(self) -> DeadLetterQueries:
        """Dead letters, for operators."""
        ...

    @property
    def timer_store(self) -> TimerStore:
        """Timers for the ticker (claims) and operators (listings)."""
        ...

    @property
    def telegram_updates(self) -> UpdateInbox:
        """Updates received by the webhook: stored before answering, claimed and handled in order."""
        ...

    async def open(self) -> None:
        """Connect and bring the schema up to date."""
        ...

    async def close(self) -> None:
        """Finish transactions in flight and disconnect."""
        ...

    async def ping(self) -> None:
        """Return if the storage answers; raise ``UnavailableError`` otherwise."""
        ...

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Tell ``listener`` (in this process) what each commit held: the handlers owed, a timer scheduled.

        A commit holding neither (no event owed to anyone, no timer scheduled) is not told.
        """
        ...

    def route_events(self, router: EventRouter) -> None:
        """Owe each event committed from now on to the handlers ``router`` names (the bus's routes)."""
        ...


B = TypeVar("B", bound=StorageBackend)


@asynccontextmanager
async def opened(storage: B) -> AsyncIterator[B]:
    """Open ``storage``, yield it, and close it however the block ends (commands, tests, benchmarks)."""
    await storage.open()
    try:
        yield storage
    finally:
        await storage.close()
