"""Subscriptions and their histories in memory: the subscriptions module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.kernel import ConcurrentUpdateError, IdempotencyKey, UserId
from yabot_core.subscriptions import (
    StoredSubscription,
    Subscription,
    SubscriptionAudit,
    SubscriptionEntry,
    SubscriptionHistory,
    SubscriptionPage,
    SubscriptionQueries,
    SubscriptionRepository,
    SubscriptionStatement,
)


@dataclass
class SubscriptionsState:
    """Committed subscriptions by user, each user's history in sequence order, entries by key."""

    subscriptions: dict[UserId, Subscription] = field(default_factory=dict)
    entries: dict[UserId, list[SubscriptionEntry]] = field(default_factory=dict)
    entries_by_key: dict[IdempotencyKey, SubscriptionEntry] = field(default_factory=dict)


class InMemorySubscriptionRepository(SubscriptionRepository):
    """The subscriptions of one in-memory unit of work: writes are staged."""

    def __init__(self, state: SubscriptionsState) -> None:
        self._state = state
        self._subscriptions: dict[UserId, Subscription] = {}
        self._entries: dict[IdempotencyKey, SubscriptionEntry] = {}

    async def get(self, user_id: UserId) -> Subscription | None:
        return self._subscriptions.get(user_id) or self._state.subscriptions.get(user_id)

    async def entry_by_key(self, key: IdempotencyKey) -> SubscriptionEntry | None:
        return self._entries.get(key) or self._state.entries_by_key.get(key)

    async def append(self, entry: SubscriptionEntry, subscription: Subscription) -> None:
        current = await self.get(entry.user_id)
        stale = (current.sequence if current else 0) != entry.sequence - 1
        if stale or await self.entry_by_key(entry.idempotency_key) is not None:
            raise ConcurrentUpdateError(detail={"user_id": entry.user_id, "sequence": entry.sequence})
        self._entries[entry.idempotency_key] = entry
        self._subscriptions[subscription.user_id] = subscription

    def apply(self) -> None:
        self._state.subscriptions.update(self._subscriptions)
        for entry in self._entries.values():
            self._state.entries.setdefault(entry.user_id, []).append(entry)
        self._state.entries_by_key.update(self._entries)


class InMemorySubscriptionQueries(SubscriptionQueries):
    """Subscriptions from committed state (reads never await: each is one snapshot)."""

    def __init__(self, state: SubscriptionsState) -> None:
        self._state = state

    async def get(self, user_id: UserId) -> Subscription | None:
        return self._state.subscriptions.get(user_id)

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> SubscriptionStatement:
        entries = self._state.entries.get(user_id, [])
        newest_first = tuple(islice(reversed(entries), offset, offset + limit))
        history = SubscriptionHistory(entries=newest_first, total=len(entries), limit=limit, offset=offset)
        subscription = self._state.subscriptions.get(user_id)
        return SubscriptionStatement(user_id=user_id, subscription=subscription, history=history)

    async def open_ending(
        self, *, after: datetime | None, before: datetime | None, limit: int, offset: int
    ) -> SubscriptionPage:
        found = sorted(
            (
                subscription
                for subscription in self._state.subscriptions.values()
                if subscription.ended_at is None
                and (after is None or subscription.vip_until > after)
                and (before is None or subscription.vip_until <= before)
            ),
            key=lambda subscription: (subscription.vip_until, subscription.user_id),
        )
        page = tuple(islice(found, offset, offset + limit))
        return SubscriptionPage(subscriptions=page, total=len(found), limit=limit, offset=offset)


class InMemorySubscriptionAudit(SubscriptionAudit):
    """Subscriptions beside their histories in committed state (one snapshot: nothing awaits between)."""

    def __init__(self, state: SubscriptionsState) -> None:
        self._state = state

    async def stored_with_history(self) -> Sequence[StoredSubscription]:
        users = sorted(self._state.subscriptions.keys() | self._state.entries.keys())
        return [
            StoredSubscription(
                user_id=user,
                stored=self._state.subscriptions.get(user),
                history=tuple(sorted(self._state.entries.get(user, ()), key=lambda entry: entry.sequence)),
            )
            for user in users
        ]


SLICE = MemorySlice(
    name="subscriptions",
    state=SubscriptionsState,
    repository=InMemorySubscriptionRepository,
    queries={
        "subscription_queries": InMemorySubscriptionQueries,
        "subscription_audit": InMemorySubscriptionAudit,
    },
)
