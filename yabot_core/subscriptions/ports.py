"""What the subscriptions module needs from storage, and the port other modules ask "is this fan VIP?"."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from yabot_core.audit import AuditUnitOfWork
from yabot_core.kernel import IdempotencyKey, TimersUnitOfWork, UserId
from yabot_core.subscriptions.models import (
    StoredSubscription,
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


class SubscriptionsUnitOfWork(TimersUnitOfWork, UsersUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching subscriptions, users, the audit log and timers.

    A grant registers an unknown fan; each VIP's expiry and reminder timers move with it.
    """

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


class SubscriptionAudit(Protocol):
    """Every stored subscription with its history, for the reconciliation (reads only)."""

    async def stored_with_history(self) -> Sequence[StoredSubscription]:
        """Return each fan with a subscription or entries: both, from one snapshot, by user id."""
        ...


class SubscriptionStorage(Protocol):
    """What a storage backend offers the subscriptions module besides its unit of work."""

    @property
    def subscription_queries(self) -> SubscriptionQueries:
        """Committed subscriptions."""
        ...

    @property
    def subscription_audit(self) -> SubscriptionAudit:
        """Subscriptions beside their histories, for the reconciliation."""
        ...


class VipChannel(Protocol):
    """The VIP channel's door: who may come in (invite links, join requests) and who is shown out.

    The bot must be an admin of the channel with the rights to invite and to ban. Every method is safe to
    repeat (a handler may be delivered twice).

    Raises (every method):
        UnavailableError: Telegram is away or asked to slow down; nothing was done, retry later.
        ChannelRightsError: Telegram refused because the bot lacks a right in the channel (retrying will
            not help until an admin fixes it).
    """

    async def remove(self, user_id: UserId) -> None:
        """Show the fan out and let them come back later: ban, then unban. Fine if they were not in."""
        ...

    async def invite(self, user_id: UserId, *, expires_at: datetime, join_request: bool) -> str:
        """Return a new invite link made for ``user_id``, valid until ``expires_at``.

        With ``join_request`` the link asks to join (and each request is judged); otherwise one person may
        use it (Telegram allows no member limit on a link that asks). The link's name carries the fan's id
        (``vip-<id>``), so a join through it can be checked against whom it was made for.
        """
        ...

    async def revoke_invite(self, link: str) -> None:
        """Make ``link`` useless from now on."""
        ...

    async def approve(self, user_id: UserId) -> None:
        """Let in a fan whose join request is pending."""
        ...

    async def decline(self, user_id: UserId) -> None:
        """Turn down a fan's pending join request."""
        ...

    async def is_admin(self, user_id: UserId) -> bool:
        """Whether ``user_id`` is the channel's owner or one of its admins (never shown out)."""
        ...

    async def is_inside(self, user_id: UserId) -> bool:
        """Whether ``user_id`` is in the channel now (a member, restricted, an admin or the owner)."""
        ...
