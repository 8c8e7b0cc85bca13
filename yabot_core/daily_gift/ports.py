"""What the daily gift needs: storage for claims (one per user and day), and a source of chance."""

from typing import Protocol

from yabot_core.daily_gift.models import DailyClaim, ReminderSetting
from yabot_core.inventory import InventoryUnitOfWork
from yabot_core.kernel import TimersUnitOfWork, UserId
from yabot_core.wallet import WalletUnitOfWork


class RandomSource(Protocol):
    """Chance, from outside the core: ``random.Random(seed)`` in tests, ``random.SystemRandom()`` live."""

    def random(self) -> float:
        """Return a float in ``[0, 1)``."""
        ...


class DailyGiftRepository(Protocol):
    """Claims, read and written inside one transaction."""

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        """Return the user's latest claim (by day), or ``None`` if they never claimed."""
        ...

    async def add_claim(self, claim: DailyClaim) -> None:
        """Store ``claim``.

        Raises:
            ConcurrentUpdateError: a claim of that user for that day exists (another transaction stored it
                first). Transient: the work is retried and then finds it. This is what makes one claim per
                day hold under any concurrency: storage decides, not a cache.
        """
        ...

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        """Return the fan's reminder setting, or ``None`` if they never chose."""
        ...

    async def save_reminder(self, setting: ReminderSetting) -> None:
        """Store ``setting`` over the version it was read at: ``setting.version - 1`` (none, for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is not ``setting.version - 1``. Transient: retried.
        """
        ...


class DailyGiftUnitOfWork(TimersUnitOfWork, WalletUnitOfWork, InventoryUnitOfWork, Protocol):
    """A unit of work reaching claims, timers, wallets and mochilas: a claim and its reward commit at once."""

    @property
    def daily_gifts(self) -> DailyGiftRepository:
        """The claims of this transaction."""
        ...


class DailyGiftQueries(Protocol):
    """Read-only views of claims, outside any transaction (they see committed data only)."""

    async def last_claim(self, user_id: UserId) -> DailyClaim | None:
        """Return the user's latest committed claim, or ``None``."""
        ...

    async def reminder(self, user_id: UserId) -> ReminderSetting | None:
        """Return the fan's committed reminder setting, or ``None``."""
        ...


class DailyGiftStorage(Protocol):
    """What a storage backend offers the daily gift besides its unit of work."""

    @property
    def daily_gift_queries(self) -> DailyGiftQueries:
        """Committed claims."""
        ...
