"""What the logros need from storage: fans' progress towards each, and the events already counted."""

from typing import Protocol

from yabot_core.achievements.models import UserAchievement
from yabot_core.inventory import InventoryUnitOfWork
from yabot_core.kernel import EventId, UserId
from yabot_core.wallet import WalletUnitOfWork


class AchievementRepository(Protocol):
    """Fans' logros and counted events, read and written inside one transaction."""

    async def get(self, user_id: UserId, achievement_id: str) -> UserAchievement | None:
        """Return the fan's progress towards the logro, or ``None`` if nothing counted yet."""
        ...

    async def save(self, achievement: UserAchievement) -> None:
        """Store ``achievement`` over the version it was read at: ``version - 1`` (none, for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is not ``achievement.version - 1``. Transient: retried.
        """
        ...

    async def counted(self, event_id: EventId) -> bool:
        """Whether the event was counted already (a redelivery must not count again)."""
        ...

    async def count(self, event_id: EventId, user_id: UserId) -> None:
        """Mark the event as counted.

        Raises:
            ConcurrentUpdateError: it is marked already (another transaction counted it first).
        """
        ...


class AchievementsUnitOfWork(WalletUnitOfWork, InventoryUnitOfWork, Protocol):
    """A unit of work over logros, wallets and mochilas: an unlock and its reward commit together."""

    @property
    def achievements(self) -> AchievementRepository:
        """The logros of this transaction."""
        ...


class AchievementQueries(Protocol):
    """Read-only views of fans' logros (committed data only)."""

    async def for_user(self, user_id: UserId) -> tuple[UserAchievement, ...]:
        """Every logro the fan has progress towards, by logro id."""
        ...


class AchievementStorage(Protocol):
    """What a storage backend offers the logros besides its unit of work."""

    @property
    def achievement_queries(self) -> AchievementQueries:
        """Committed logros."""
        ...
