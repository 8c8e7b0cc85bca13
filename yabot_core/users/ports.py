"""What the users module needs from storage."""

from typing import Protocol

from yabot_core.kernel import UnitOfWork, UserId
from yabot_core.users.models import User


class UserRepository(Protocol):
    """Users inside a unit of work."""

    async def get(self, user_id: UserId) -> User | None:
        """Return the user, or ``None``."""
        ...

    async def save(self, user: User) -> None:
        """Insert the user, or replace them by id."""
        ...


class UsersUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can reach users."""

    @property
    def users(self) -> UserRepository:
        """The users of this transaction."""
        ...


class UserQueries(Protocol):
    """Read-only access to users (committed data only)."""

    async def get(self, user_id: UserId) -> User | None:
        """Return the user, or ``None``."""
        ...

    async def count(self) -> int:
        """How many users are registered (whoever ever wrote to the bot or was registered for them)."""
        ...


class UserStorage(Protocol):
    """What a storage backend offers the users module besides its unit of work."""

    @property
    def user_queries(self) -> UserQueries:
        """Committed users."""
        ...
