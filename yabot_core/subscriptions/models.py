"""A fan's VIP: the current state, and the append-only history whose entries it is the sum of.

The state (:class:`Subscription`) is what the hot paths read; the history (:class:`SubscriptionEntry`) is
what happened. Each entry moves ``vip_until`` by its signed ``seconds``; a grant to someone without an active
subscription starts a new period at its own time. So, always: ``vip_until == period_started_at + the sum of
the seconds of the period's entries`` (those from ``period_sequence`` on), and :func:`replay` of the history
gives back the state exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from yabot_core.kernel import CorrelationId, IdempotencyKey, UserId

MAX_REFERENCE_LENGTH: Final = 128
"""A charge id or token code: Telegram's charge ids are far shorter."""


class EntryKind(StrEnum):
    """What an entry did to a subscription."""

    GRANT = "grant"
    """Started a period: the user had no active VIP (never, or it had ended or lapsed)."""
    EXTEND = "extend"
    """Added time to an active period."""
    REVOKE = "revoke"
    """Ended an active period now (an admin's decision)."""
    EXPIRE = "expire"
    """Closed a period whose time had run out (the expiry sweep)."""
    REFUND = "refund"
    """Took back the time a refunded payment had bought (ending the period if nothing is left)."""
    CANCEL = "cancel"
    """Turned renewal off: VIP lasts until its end, and then expires."""


class SourceKind(StrEnum):
    """Where the VIP time came from."""

    OPERATOR = "operator"
    """An admin gave it (shell, Telegram admin menu, API)."""
    PAYMENT = "payment"
    """The fan paid in Telegram Stars; the reference is the charge id."""
    TOKEN = "token"  # noqa: S105  (a VIP token, the kind of source; no secret)
    """The fan redeemed a VIP token; the reference is its code."""
    SYSTEM = "system"
    """YABOT itself (expiries, refunds)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a grant comes from, and its reference (a charge id, a token code)."""

    kind: SourceKind
    reference: str | None = None

    @classmethod
    def operator(cls) -> "Source":
        """An admin's gift."""
        return cls(SourceKind.OPERATOR)

    @classmethod
    def payment(cls, charge_id: str) -> "Source":
        """A Telegram Stars payment, by its ``telegram_payment_charge_id``."""
        return cls(SourceKind.PAYMENT, charge_id)

    @classmethod
    def token(cls, code: str) -> "Source":
        """A redeemed VIP token, by its code."""
        return cls(SourceKind.TOKEN, code)

    @classmethod
    def system(cls) -> "Source":
        """YABOT itself."""
        return cls(SourceKind.SYSTEM)


class SubscriptionEntry(BaseModel):
    """One change to one fan's VIP, numbered 1, 2, ... per user (``sequence``).

    ``days`` or ``requested_until`` is what was asked (a grant or extension); ``seconds`` is the signed change
    it made to ``vip_until`` (0 for an expiry or a cancellation), and ``vip_until`` the end it left.
    ``actor`` is who did it, as ``kind:name`` (``operator:diana``, ``user:42``, ``system:yabot``).
    """

    model_config = ConfigDict(frozen=True)

    entry_id: str
    user_id: UserId
    sequence: int = Field(ge=1)
    kind: EntryKind
    days: int | None = None
    requested_until: AwareDatetime | None = None
    seconds: int
    vip_until: AwareDatetime
    source: SourceKind
    reference: str | None = Field(default=None, max_length=MAX_REFERENCE_LENGTH)
    plan_id: str | None = None
    reason: str | None = None
    idempotency_key: IdempotencyKey
    correlation_id: CorrelationId
    actor: str
    created_at: AwareDatetime


class SubscriptionStatus(StrEnum):
    """Where a subscription stands at a given instant."""

    ACTIVE = "active"
    """VIP now."""
    LAPSED = "lapsed"
    """Its time ran out and the expiry sweep has not closed it yet: no longer VIP."""
    ENDED = "ended"
    """Closed: expired, revoked, or refunded to nothing."""


class Subscription(BaseModel):
    """A fan's VIP as it stands: what every "is this fan VIP?" reads (one record, by user id).

    ``vip_until`` is the end of the current (or last) period, which began at ``period_started_at`` with the
    entry numbered ``period_sequence``; ``ended_at`` is set when the period was closed (expired, revoked,
    refunded to nothing); ``cancelled_at`` when renewal was turned off. ``sequence`` is the number of the last
    history entry: storage moves a subscription only from the sequence it was read at.
    """

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    vip_until: AwareDatetime
    period_started_at: AwareDatetime
    period_sequence: int = Field(ge=1)
    ended_at: AwareDatetime | None = None
    cancelled_at: AwareDatetime | None = None
    plan_id: str | None = None
    sequence: int = Field(ge=1)
    updated_at: AwareDatetime

    def status(self, now: datetime) -> SubscriptionStatus:
        """Where it stands at ``now``."""
        if self.ended_at is not None:
            return SubscriptionStatus.ENDED
        return SubscriptionStatus.ACTIVE if now < self.vip_until else SubscriptionStatus.LAPSED

    def is_vip(self, now: datetime) -> bool:
        """Whether the fan is VIP at ``now``: an open period whose end is still ahead."""
        return self.ended_at is None and now < self.vip_until


def apply(current: Subscription | None, entry: SubscriptionEntry) -> Subscription:
    """The subscription after ``entry``: the one rule the service writes by and :func:`replay` reads by.

    Raises:
        ValueError: an entry that does not follow ``current`` (wrong user or sequence, or a history that
            does not start with a grant).
    """
    at = entry.created_at
    if entry.kind is EntryKind.GRANT:
        _check_follows(current, entry)
        return Subscription(
            user_id=entry.user_id,
            vip_until=at + timedelta(seconds=entry.seconds),
            period_started_at=at,
            period_sequence=entry.sequence,
            plan_id=entry.plan_id,
            sequence=entry.sequence,
            updated_at=at,
        )
    if current is None:
        msg = "a subscription's history starts with a grant"
        raise ValueError(msg)
    _check_follows(current, entry)
    until = current.vip_until + timedelta(seconds=entry.seconds)
    ended, cancelled, plan = current.ended_at, current.cancelled_at, current.plan_id
    if entry.kind is EntryKind.EXTEND:
        cancelled, plan = None, entry.plan_id or plan
    elif entry.kind in (EntryKind.REVOKE, EntryKind.EXPIRE):
        ended = ended or at
    elif entry.kind is EntryKind.REFUND and ended is None and until <= at:
        ended = at
    elif entry.kind is EntryKind.CANCEL:
        cancelled = at
    return current.model_copy(
        update={
            "vip_until": until,
            "ended_at": ended,
            "cancelled_at": cancelled,
            "plan_id": plan,
            "sequence": entry.sequence,
            "updated_at": at,
        }
    )


def replay(entries: Iterable[SubscriptionEntry]) -> Subscription | None:
    """The subscription a history (oldest entry first) adds up to; ``None`` for no history."""
    current: Subscription | None = None
    for entry in entries:
        current = apply(current, entry)
    return current


def _check_follows(current: Subscription | None, entry: SubscriptionEntry) -> None:
    expected = 1 if current is None else current.sequence + 1
    if entry.sequence != expected or (current is not None and current.user_id != entry.user_id):
        msg = f"entry {entry.sequence} of user {entry.user_id} does not follow the subscription"
        raise ValueError(msg)


class SubscriptionHistory(BaseModel):
    """A page of a fan's history, newest entry first, with the total number of entries."""

    model_config = ConfigDict(frozen=True)

    entries: tuple[SubscriptionEntry, ...]
    total: int
    limit: int
    offset: int


class SubscriptionStatement(BaseModel):
    """A fan's subscription (``None`` if they never had VIP) and a page of its history, from one snapshot."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    subscription: Subscription | None
    history: SubscriptionHistory


class SubscriptionPage(BaseModel):
    """A page of subscriptions, soonest end first, with how many match."""

    model_config = ConfigDict(frozen=True)

    subscriptions: tuple[Subscription, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class VipChange:
    """What one operation did: its entry, and the subscription as it stands after it.

    For a replayed key, ``entry`` is the first one and ``replayed`` is set; ``new_user`` says the operation
    registered the fan (an operator's grant to someone YABOT did not know).
    """

    subscription: Subscription
    entry: SubscriptionEntry
    new_user: bool = False
    replayed: bool = False


class StoredSubscription(BaseModel):
    """A fan's stored subscription beside the history it must be the replay of (oldest entry first)."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    stored: Subscription | None
    history: tuple[SubscriptionEntry, ...]
