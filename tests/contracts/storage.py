"""The storage contract: every module's suite, composed. Each backend's test module subclasses it.

A subclass supplies one fixture, ``storage_factory``: a callable taking the clock and returning an async
context manager that yields a fresh, opened, empty backend and closes it on exit. A module with storage adds
its suite here, one line.
"""

from tests.contracts.achievements import AchievementsContract
from tests.contracts.apikeys import ApiKeysContract
from tests.contracts.auctions import AuctionsContract
from tests.contracts.audit import AuditContract
from tests.contracts.broadcasts import BroadcastsContract
from tests.contracts.bus import DeadLetterContract, OutboxContract
from tests.contracts.daily_gift import DailyGiftContract
from tests.contracts.inventory import InventoryAuditContract, InventoryContract
from tests.contracts.lucien import LucienContract
from tests.contracts.missions import MissionsContract
from tests.contracts.posts import PostsContract
from tests.contracts.ranking import RankingContract
from tests.contracts.reactions import ReactionsContract
from tests.contracts.store import StoreAuditContract, StoreContract
from tests.contracts.story import StoryContract
from tests.contracts.subscriptions import SubscriptionAuditContract, SubscriptionsContract
from tests.contracts.telegram_updates import TelegramUpdatesContract
from tests.contracts.timers import TimersContract
from tests.contracts.trivia import TriviaContract
from tests.contracts.units import UnitOfWorkContract
from tests.contracts.users import UsersContract
from tests.contracts.vip_members import ChannelMembersContract
from tests.contracts.vip_tokens import VipTokensContract
from tests.contracts.wallet import WalletAuditContract, WalletContract


class StorageContract(
    UnitOfWorkContract,
    OutboxContract,
    DeadLetterContract,
    TimersContract,
    UsersContract,
    WalletContract,
    WalletAuditContract,
    LucienContract,
    InventoryContract,
    InventoryAuditContract,
    ApiKeysContract,
    AuditContract,
    SubscriptionsContract,
    SubscriptionAuditContract,
    VipTokensContract,
    ChannelMembersContract,
    StoryContract,
    DailyGiftContract,
    MissionsContract,
    ReactionsContract,
    AchievementsContract,
    StoreContract,
    StoreAuditContract,
    RankingContract,
    AuctionsContract,
    TriviaContract,
    PostsContract,
    BroadcastsContract,
    TelegramUpdatesContract,
):
    """Behaviour every storage backend shares."""
