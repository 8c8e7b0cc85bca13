"""The "is this fan VIP?" answer, kept for a moment per fan so hot paths rarely touch storage."""

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Final

from yabot_core.kernel import Clock, UserId
from yabot_core.subscriptions.models import Subscription
from yabot_core.subscriptions.ports import SubscriptionQueries, VipStatus

DEFAULT_TTL: Final = timedelta(seconds=2)
"""How long a fan's subscription is kept: a burst of updates from one fan (a story read button after button)
costs one read, and a change another process makes (a shell grant while ``yabot run`` serves) is seen
within it."""

DEFAULT_CAPACITY: Final = 10_000
"""The most fans kept at once; the least recently asked go first."""


class VipCheck(VipStatus):
    """:class:`VipStatus` over the committed subscriptions, with a short per-process memory.

    What is kept is the subscription as read (or its absence: most fans are not VIP, and they are asked
    about as often), never the answer: the answer is worked out from the clock at each question, so a VIP
    ends exactly when its time runs out. The service forgets a fan as soon as it changes their subscription,
    and a read that began before such a change is not kept, so this process never answers from stale data;
    another process's change is seen within ``ttl``. ``ttl`` of zero keeps nothing.
    """

    def __init__(
        self,
        queries: SubscriptionQueries,
        clock: Clock,
        *,
        ttl: timedelta = DEFAULT_TTL,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        if ttl < timedelta(0) or capacity < 1:
            msg = "a VIP check keeps fans for a non-negative time, at least one at a time"
            raise ValueError(msg)
        self._queries = queries
        self._clock = clock
        self._ttl = ttl
        self._capacity = capacity
        self._kept: OrderedDict[UserId, tuple[Subscription | None, datetime]] = OrderedDict()
        self._changes = 0
        """Counts :meth:`forget` calls: a read that saw it move may hold data older than the change."""

    async def vip_until(self, user_id: UserId) -> datetime | None:
        """Return when the fan's VIP ends if they are VIP now; ``None`` if they are not."""
        subscription = await self._subscription(user_id)
        now = self._clock.now()
        if subscription is None or not subscription.is_vip(now):
            return None
        return subscription.vip_until

    async def is_vip(self, user_id: UserId) -> bool:
        """Return whether the fan is VIP now."""
        return await self.vip_until(user_id) is not None

    def forget(self, user_id: UserId) -> None:
        """Drop what is kept about ``user_id`` (their subscription just changed in this process)."""
        self._changes += 1
        self._kept.pop(user_id, None)

    async def _subscription(self, user_id: UserId) -> Subscription | None:
        now = self._clock.now()
        kept = self._kept.get(user_id)
        if kept is not None and now - kept[1] < self._ttl:
            self._kept.move_to_end(user_id)
            return kept[0]
        changes = self._changes
        subscription = await self._queries.get(user_id)
        if self._ttl and changes == self._changes:
            self._kept[user_id] = (subscription, now)
            self._kept.move_to_end(user_id)
            while len(self._kept) > self._capacity:
                self._kept.popitem(last=False)
        return subscription
