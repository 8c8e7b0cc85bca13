"""Broadcasts, recipients and notification preferences in memory: the broadcasts module's slice."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.broadcasts import (
    Broadcast,
    BroadcastQueries,
    BroadcastRepository,
    NotificationPreferences,
    Recipient,
    RecipientState,
)
from yabot_core.kernel import ConcurrentUpdateError, UserId


@dataclass
class BroadcastsState:
    """Committed broadcasts by id, recipients by (broadcast, fan), preferences by fan."""

    broadcasts: dict[str, Broadcast] = field(default_factory=dict)
    recipients: dict[tuple[str, UserId], Recipient] = field(default_factory=dict)
    preferences: dict[UserId, NotificationPreferences] = field(default_factory=dict)


class InMemoryBroadcastRepository(BroadcastRepository):
    """The broadcasts of one in-memory unit of work: writes are staged."""

    def __init__(self, state: BroadcastsState) -> None:
        self._broadcasts = Overlay(state.broadcasts)
        self._recipients = Overlay(state.recipients)
        self._preferences = Overlay(state.preferences)

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return self._broadcasts.get(broadcast_id)

    async def save(self, broadcast: Broadcast) -> None:
        current = self._broadcasts.get(broadcast.broadcast_id)
        if (current.version if current else 0) != broadcast.version - 1:
            detail = {"broadcast_id": broadcast.broadcast_id, "version": broadcast.version}
            raise ConcurrentUpdateError(detail=detail)
        self._broadcasts.stage(broadcast.broadcast_id, broadcast)

    async def add_recipients(self, broadcast_id: str, user_ids: Sequence[UserId]) -> int:
        added = 0
        for user in user_ids:
            if self._recipients.get((broadcast_id, user)) is None:
                self._recipients.stage(
                    (broadcast_id, user), Recipient(broadcast_id=broadcast_id, user_id=user)
                )
                added += 1
        return added

    async def recipient(self, broadcast_id: str, user_id: UserId) -> Recipient | None:
        return self._recipients.get((broadcast_id, user_id))

    async def save_recipient(self, recipient: Recipient) -> None:
        key = (recipient.broadcast_id, recipient.user_id)
        if self._recipients.get(key) is not None:
            self._recipients.stage(key, recipient)

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        return self._preferences.get(user_id) or NotificationPreferences(user_id=user_id)

    async def save_preferences(self, preferences: NotificationPreferences) -> None:
        current = self._preferences.get(preferences.user_id)
        if (current.version if current else 0) != preferences.version - 1:
            detail = {"user_id": preferences.user_id, "version": preferences.version}
            raise ConcurrentUpdateError(detail=detail)
        self._preferences.stage(preferences.user_id, preferences)

    def apply(self) -> None:
        self._broadcasts.apply()
        self._recipients.apply()
        self._preferences.apply()


class InMemoryBroadcastQueries(BroadcastQueries):
    """Broadcasts from committed state."""

    def __init__(self, state: BroadcastsState) -> None:
        self._state = state

    async def get(self, broadcast_id: str) -> Broadcast | None:
        return self._state.broadcasts.get(broadcast_id)

    async def listing(self, *, limit: int) -> Sequence[Broadcast]:
        everyone = sorted(
            self._state.broadcasts.values(), key=lambda item: (item.start_at, item.broadcast_id), reverse=True
        )
        return everyone[:limit]

    async def runnable(self, now: datetime, *, limit: int) -> Sequence[Broadcast]:
        due = [item for item in self._state.broadcasts.values() if item.state.active and item.start_at <= now]
        return sorted(due, key=lambda item: (item.start_at, item.broadcast_id))[:limit]

    async def recipients(
        self, broadcast_id: str, state: RecipientState, *, after: UserId | None, limit: int
    ) -> Sequence[Recipient]:
        floor = 0 if after is None else after
        found = [
            recipient
            for (owner, user), recipient in self._state.recipients.items()
            if owner == broadcast_id and user > floor and recipient.state is state
        ]
        return sorted(found, key=lambda recipient: recipient.user_id)[:limit]

    async def counts(self, broadcast_id: str) -> Mapping[RecipientState, int]:
        return Counter(
            recipient.state
            for (owner, _), recipient in self._state.recipients.items()
            if owner == broadcast_id
        )

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        return self._state.preferences.get(user_id) or NotificationPreferences(user_id=user_id)


SLICE = MemorySlice(
    name="broadcasts",
    state=BroadcastsState,
    repository=InMemoryBroadcastRepository,
    queries={"broadcast_queries": InMemoryBroadcastQueries},
)
