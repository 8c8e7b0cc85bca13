"""What the subscriptions module needs from storage, and the port other modules ask "is this fan VIP?"."""

from datetime import datetime
from typing import Protocol

from yabot_core.audit import AuditUnitOfWork
from yabot_core.kernel import IdempotencyKey, UserId
from yabot_core.subscriptions.models import (
    Subscription,
    SubscriptionEntry,
    SubscriptionPage,
    SubscriptionStatement,
)
from yabot_core.users import UsersUnitOfWork


class VipStatus(Protocol):
    """Answers whether a fan is VIP now, and until when: the story's gates and the store's VIP-only items ask.

    Asked on every update, so it is cheap: at most one read of one record, by user id, and usually none (a
    process keeps each asked fan's subscription for a moment). The answer follows the clock exactly (a VIP
    whose time ran out is not VIP, swept or not); a change made by another process is seen within that
    moment. Decisions that must not lag (the channel's door) read the subscription itself.
    """

    async def vip_until(self, user_id: UserId) -> datetime | None:
        """Return when the fan's VIP ends if they are VIP now; ``None`` if they are not."""
        ...

    async def is_vip(self, user_id: UserId) -> bool:
        """Return whether the fan is VIP now."""
        ...


class SubscriptionRepository(Protocol):
    """Subscriptions and their histories inside one transaction."""

    async def get(self, user_id: UserId) -> Subscription | None:
        """Return the fan's subscription, or ``None`` if they never had VIP."""
        ...

    async def entry_by_key(self, key: IdempotencyKey) -> SubscriptionEntry | None:
        """Return the entry stored under this idempotency key (any user's), if any."""
        ...

    async def append(self, entry: SubscriptionEntry, subscription: Subscription) -> None:
        """Store ``entry`` and move the fan's subscription to ``subscription`` (the state after it).

        The subscription moves only from ``entry.sequence - 1`` (none stored, for the first entry).

        Raises:
            ConcurrentUpdateError: the stored subscription is at another sequence, or another transaction
                stored an entry with the same idempotency key first. Transient: the work is retried.
        """
        ...


class SubscriptionsUnitOfWork(UsersUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching subscriptions, users (a grant registers an unknown fan) and the audit log."""

    @property
    def subscriptions(self) -> SubscriptionRepository:
        """The subscriptions of this transaction."""
        ...


class SubscriptionQueries(Protocol):
    """Committed subscriptions, outside any transaction."""

    async def get(self, user_id: UserId) -> Subscription | None:
        """Return the fan's subscription, or ``None`` (one read, by id: what :class:`VipStatus` asks)."""
        ...

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> SubscriptionStatement:
        """Return the subscription and a page of its history, newest entry first, from one snapshot."""
        ...

    async def open_ending(
        self, *, after: datetime | None, before: datetime | None, limit: int, offset: int
    ) -> SubscriptionPage:
        """Return open subscriptions (not ended) with ``after < vip_until <= before``, and their count.

        A bound left ``None`` is no bound. Soonest end first, ties by user id; the page and the count come
        from one snapshot. ``after=now`` lists the VIPs; ``before=now`` those due to expire.
        """
        ...


class SubscriptionStorage(Protocol):
    """What a storage backend offers the subscriptions module besides its unit of work."""

    @property
    def subscription_queries(self) -> SubscriptionQueries:
        """Committed subscriptions."""
        ...
