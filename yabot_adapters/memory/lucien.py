"""Lucien's messages in memory: the lucien module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import UserId
from yabot_core.lucien import LucienMessage, LucienQueries, LucienRepository


@dataclass
class LucienState:
    """Committed messages by key."""

    messages: dict[str, LucienMessage] = field(default_factory=dict)


class InMemoryLucienRepository(LucienRepository):
    """Lucien's messages in one in-memory unit of work."""

    def __init__(self, state: LucienState) -> None:
        self._messages = Overlay(state.messages)

    async def get(self, key: str) -> LucienMessage | None:
        return self._messages.get(key)

    async def save(self, message: LucienMessage) -> None:
        self._messages.stage(message.key, message)

    def apply(self) -> None:
        self._messages.apply()


class InMemoryLucienQueries(LucienQueries):
    """Committed messages."""

    def __init__(self, state: LucienState) -> None:
        self._state = state

    async def get(self, key: str) -> LucienMessage | None:
        return self._state.messages.get(key)

    async def recent(self, *, user_id: UserId | None = None, limit: int = 50) -> Sequence[LucienMessage]:
        messages = [m for m in self._state.messages.values() if user_id is None or m.user_id == user_id]
        messages.sort(key=lambda message: (message.due_at, message.key), reverse=True)
        return messages[:limit]


SLICE = MemorySlice(
    name="lucien",
    state=LucienState,
    repository=InMemoryLucienRepository,
    queries={"lucien_queries": InMemoryLucienQueries},
)
