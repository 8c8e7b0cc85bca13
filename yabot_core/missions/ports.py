"""What the missions need from storage: fans' missions, and the events already counted."""

from typing import Protocol

from yabot_core.audit import AuditUnitOfWork
from yabot_core.inventory import InventoryUnitOfWork
from yabot_core.kernel import EventId, UserId
from yabot_core.missions.models import UserMission
from yabot_core.users import UsersUnitOfWork
from yabot_core.wallet import WalletUnitOfWork


class MissionRepository(Protocol):
    """Fans' missions and counted events, read and written inside one transaction."""

    async def get(self, user_id: UserId, mission_id: str) -> UserMission | None:
        """Return the fan's mission, or ``None`` if it was never assigned to them."""
        ...

    async def save(self, mission: UserMission) -> None:
        """Store ``mission`` over the version it was read at: ``mission.version - 1`` (none, for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is not ``mission.version - 1``. Transient: retried.
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


class MissionsUnitOfWork(UsersUnitOfWork, WalletUnitOfWork, InventoryUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching missions, wallets, mochilas and users: progress and reward commit together."""

    @property
    def missions(self) -> MissionRepository:
        """The missions of this transaction."""
        ...


class MissionQueries(Protocol):
    """Read-only views of fans' missions (committed data only)."""

    async def for_user(self, user_id: UserId) -> tuple[UserMission, ...]:
        """Every mission assigned to the fan, by mission id."""
        ...


class MissionStorage(Protocol):
    """What a storage backend offers the missions besides its unit of work."""

    @property
    def mission_queries(self) -> MissionQueries:
        """Committed missions."""
        ...
