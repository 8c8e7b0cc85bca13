"""Events the subscriptions module publishes: the door (invite links, removals), Lucien and reminders react.

Every entry of a fan's history publishes one event, in the same commit. A fan's VIP ends with
``SubscriptionExpired``, ``SubscriptionRevoked``, or ``SubscriptionRefunded`` with ``access_ended``.
"""

from typing import ClassVar

from pydantic import AwareDatetime

from yabot_core.kernel import Event, EventStamp, UserId
from yabot_core.subscriptions.models import EntryKind, SourceKind, Subscription, SubscriptionEntry


class SubscriptionEvent(Event):
    """Base of the module's events: one fan's subscription changed by the history entry ``entry_id``."""

    user_id: UserId
    entry_id: str
    vip_until: AwareDatetime


class SubscriptionStarted(SubscriptionEvent):
    """A fan without active VIP got ``seconds`` of it (from ``source``): the door should open."""

    event_type: ClassVar[str] = "subscription.started"

    seconds: int
    source: SourceKind
    reference: str | None = None
    plan_id: str | None = None


class SubscriptionExtended(SubscriptionEvent):
    """An active VIP got ``seconds`` more; it ended at ``previous_until`` before."""

    event_type: ClassVar[str] = "subscription.extended"

    previous_until: AwareDatetime
    seconds: int
    source: SourceKind
    reference: str | None = None
    plan_id: str | None = None


class SubscriptionRevoked(SubscriptionEvent):
    """An admin ended an active VIP now: the door should close."""

    event_type: ClassVar[str] = "subscription.revoked"

    reason: str | None = None


class SubscriptionExpired(SubscriptionEvent):
    """A VIP whose time ran out was closed: the door should close and Lucien say goodbye."""

    event_type: ClassVar[str] = "subscription.expired"


class SubscriptionCancelled(SubscriptionEvent):
    """Renewal was turned off: VIP lasts until ``vip_until`` and then expires."""

    event_type: ClassVar[str] = "subscription.cancelled"


class SubscriptionRefunded(SubscriptionEvent):
    """A payment was refunded and the time it bought (``seconds``, negative or 0) taken back.

    ``access_ended``: nothing was left, so the period closed and the door should close.
    """

    event_type: ClassVar[str] = "subscription.refunded"

    charge_id: str
    seconds: int
    access_ended: bool


def event_for(
    stamp: EventStamp, entry: SubscriptionEntry, before: Subscription | None, after: Subscription
) -> SubscriptionEvent:
    """The event ``entry`` publishes, given the subscription ``before`` and ``after`` it."""
    user, entry_id, until = entry.user_id, entry.entry_id, entry.vip_until
    if entry.kind is EntryKind.GRANT or before is None:
        return SubscriptionStarted(
            **stamp,
            user_id=user,
            entry_id=entry_id,
            vip_until=until,
            seconds=entry.seconds,
            source=entry.source,
            reference=entry.reference,
            plan_id=entry.plan_id,
        )
    if entry.kind is EntryKind.EXTEND:
        return SubscriptionExtended(
            **stamp,
            user_id=user,
            entry_id=entry_id,
            vip_until=until,
            previous_until=before.vip_until,
            seconds=entry.seconds,
            source=entry.source,
            reference=entry.reference,
            plan_id=entry.plan_id,
        )
    if entry.kind is EntryKind.REVOKE:
        return SubscriptionRevoked(
            **stamp, user_id=user, entry_id=entry_id, vip_until=until, reason=entry.reason
        )
    if entry.kind is EntryKind.EXPIRE:
        return SubscriptionExpired(**stamp, user_id=user, entry_id=entry_id, vip_until=until)
    if entry.kind is EntryKind.CANCEL:
        return SubscriptionCancelled(**stamp, user_id=user, entry_id=entry_id, vip_until=until)
    return SubscriptionRefunded(
        **stamp,
        user_id=user,
        entry_id=entry_id,
        vip_until=until,
        charge_id=entry.reference or "",
        seconds=entry.seconds,
        access_ended=before.ended_at is None and after.ended_at is not None,
    )
