"""The event bus's data in memory: the outbox (what each handler is owed), dead letters and leases."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_adapters.units import RoutedEvent
from yabot_core.kernel import (
    DeadLetter,
    DeadLetterQueries,
    DeadLetterRepository,
    EventId,
    OutboxRecord,
    OutboxStore,
)


@dataclass
class BusState:
    """Committed outbox records, what each handler is owed (in position order), dead letters, leases."""

    records: dict[EventId, OutboxRecord] = field(default_factory=dict)
    owed: dict[str, dict[EventId, None]] = field(default_factory=dict)
    owed_count: dict[EventId, int] = field(default_factory=dict)
    last_position: int = 0
    dead_letters: dict[str, DeadLetter] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)

    def write(self, routed: Sequence[RoutedEvent], now: datetime) -> None:
        """Append committed events, owed to their handlers, in commit order."""
        for item in routed:
            event = item.event
            self.last_position += 1
            self.records[event.event_id] = OutboxRecord(
                event_id=event.event_id,
                event_type=event.event_type,
                payload=event.to_json(),
                user_id=event.user_id,
                position=self.last_position,
                created_at=now,
            )
            for handler in item.handlers:
                self.owed.setdefault(handler, {})[event.event_id] = None
            self.owed_count[event.event_id] = len(item.handlers)

    def settle(self, handler: str, event_ids: Sequence[EventId]) -> int:
        """``handler`` owes these no more; forget records owed to nobody. Returns how many it owed."""
        owed = self.owed.get(handler, {})
        settled = 0
        for event_id in event_ids:
            if event_id in owed:
                del owed[event_id]
                settled += 1
                self.owed_count[event_id] -= 1
                if self.owed_count[event_id] == 0:
                    del self.owed_count[event_id]
                    del self.records[event_id]
        return settled


class InMemoryDeadLetterRepository(DeadLetterRepository):
    """The dead-letter repository of one in-memory unit of work."""

    def __init__(self, state: BusState) -> None:
        self._letters = Overlay(state.dead_letters)

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return self._letters.get(dead_letter_id)

    async def save(self, dead_letter: DeadLetter) -> None:
        self._letters.stage(dead_letter.dead_letter_id, dead_letter)

    def apply(self) -> None:
        self._letters.apply()


class InMemoryDeadLetterQueries(DeadLetterQueries):
    """Dead letters from committed state."""

    def __init__(self, state: BusState) -> None:
        self._state = state

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        letters = [
            letter
            for letter in self._state.dead_letters.values()
            if include_replayed or letter.replayed_at is None
        ]
        letters.sort(key=lambda letter: letter.failed_at, reverse=True)
        return letters[:limit]

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return self._state.dead_letters.get(dead_letter_id)


class InMemoryOutboxStore(OutboxStore):
    """What each handler is owed, from committed state."""

    def __init__(self, state: BusState) -> None:
        self._state = state

    async def pending(self, handler: str, limit: int) -> Sequence[OutboxRecord]:
        owed = self._state.owed.get(handler, {})
        return [self._state.records[event_id] for event_id in islice(owed, max(0, limit))]

    async def acknowledge(self, handler: str, event_ids: Sequence[EventId]) -> None:
        self._state.settle(handler, event_ids)

    async def expire(self, handler: str, before: datetime) -> int:
        owed = self._state.owed.get(handler, {})
        stale = [event_id for event_id in owed if self._state.records[event_id].created_at < before]
        return self._state.settle(handler, stale)

    async def backlog(self) -> Mapping[str, int]:
        return {handler: len(owed) for handler, owed in self._state.owed.items() if owed}

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        holder = self._state.leases.get(name)
        if holder is not None and holder[0] != owner and holder[1] > now.timestamp():
            return False
        self._state.leases[name] = (owner, until.timestamp())
        return True

    async def release_lease(self, name: str, owner: str) -> None:
        holder = self._state.leases.get(name)
        if holder is not None and holder[0] == owner:
            del self._state.leases[name]


SLICE = MemorySlice(
    name="dead_letters",
    state=BusState,
    repository=InMemoryDeadLetterRepository,
    queries={"outbox": InMemoryOutboxStore, "dead_letter_queries": InMemoryDeadLetterQueries},
)
