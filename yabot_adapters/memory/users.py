"""Users in memory: the users module's slice."""

from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import UserId
from yabot_core.users import User, UserQueries, UserRepository


@dataclass
class UsersState:
    """Committed users by id."""

    users: dict[UserId, User] = field(default_factory=dict)


class InMemoryUserRepository(UserRepository):
    """The user repository of one in-memory unit of work."""

    def __init__(self, state: UsersState) -> None:
        self._users = Overlay(state.users)

    async def get(self, user_id: UserId) -> User | None:
        return self._users.get(user_id)

    async def save(self, user: User) -> None:
        self._users.stage(user.user_id, user)

    def apply(self) -> None:
        self._users.apply()


class InMemoryUserQueries(UserQueries):
    """Users from committed state."""

    def __init__(self, state: UsersState) -> None:
        self._state = state

    async def get(self, user_id: UserId) -> User | None:
        return self._state.users.get(user_id)

    async def count(self) -> int:
        return len(self._state.users)


SLICE = MemorySlice(
    name="users",
    state=UsersState,
    repository=InMemoryUserRepository,
    queries={"user_queries": InMemoryUserQueries},
)
