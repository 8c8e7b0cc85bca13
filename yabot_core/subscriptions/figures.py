"""The VIP figures an admin's statistics show: how many fans are VIP now, and the Stars they paid."""

from collections.abc import Sequence
from dataclasses import dataclass

from yabot_core.kernel import Clock
from yabot_core.subscriptions.models import EntryKind, SourceKind, StoredSubscription
from yabot_core.subscriptions.plans import PlanCatalog
from yabot_core.subscriptions.ports import SubscriptionAudit, SubscriptionQueries

_PAID = frozenset({EntryKind.GRANT, EntryKind.EXTEND})


@dataclass(frozen=True, slots=True)
class VipFigures:
    """VIPs now and Stars earned, from committed data."""

    vips: int
    stars: int
    """Stars of the payments not refunded, each at its plan's price in the catalog (what the plan costs now:
    the history keeps the plan, not the amount charged)."""
    payments: int
    """Payments not refunded."""


class VipStatistics:
    """Reads the figures; the history is read whole, which is fine for an admin screen, not for a hot path."""

    def __init__(
        self,
        queries: SubscriptionQueries,
        audit: SubscriptionAudit,
        plans: PlanCatalog,
        clock: Clock,
    ) -> None:
        self._queries = queries
        self._audit = audit
        self._plans = plans
        self._clock = clock

    async def figures(self) -> VipFigures:
        """How many fans are VIP now, and the Stars their standing payments are worth."""
        vips = await self._queries.open_ending(after=self._clock.now(), before=None, limit=1, offset=0)
        stars, payments = earned(await self._audit.stored_with_history(), self._plans)
        return VipFigures(vips=vips.total, stars=stars, payments=payments)


def earned(stored: Sequence[StoredSubscription], plans: PlanCatalog) -> tuple[int, int]:
    """The Stars and the count of payments in ``stored``'s histories that were not refunded.

    A payment is a grant or extension whose source is a payment (its reference the charge id); a refund
    names the same charge. A plan no longer in the catalog counts as a payment worth nothing known.
    """
    paid: dict[str, str | None] = {}
    refunded: set[str] = set()
    for subscription in stored:
        for entry in subscription.history:
            if entry.source is not SourceKind.PAYMENT or entry.reference is None:
                continue
            if entry.kind is EntryKind.REFUND:
                refunded.add(entry.reference)
            elif entry.kind in _PAID:
                paid[entry.reference] = entry.plan_id
    standing = [plan_id for charge, plan_id in paid.items() if charge not in refunded]
    stars = 0
    for plan_id in standing:
        plan = plans.get(plan_id) if plan_id else None
        stars += plan.price if plan else 0
    return stars, len(standing)
