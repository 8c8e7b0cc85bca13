"""Writing one change to a fan's VIP: its history entry, the subscription after it, its event, its audit."""

from datetime import datetime, timedelta

from pydantic import JsonValue

from yabot_core.audit import Actor, AuditLog, user_target
from yabot_core.kernel import Clock, EventStamper, IdGenerator, UserId
from yabot_core.subscriptions.errors import NotVipError, VipAlreadyLongerError
from yabot_core.subscriptions.events import event_for
from yabot_core.subscriptions.models import EntryKind, Subscription, SubscriptionEntry, VipChange, apply
from yabot_core.subscriptions.ports import SubscriptionsUnitOfWork
from yabot_core.subscriptions.timers import move_timers
from yabot_core.subscriptions.validation import Request, checked_end, ensure_same
from yabot_core.users import UserDirectory


class Changes:
    """The service's work inside a unit of work, so every change is decided and written the same way.

    The entry and the subscription after it (:func:`apply`, the rule :func:`replay` reads by) are stored
    together, its expiry and reminder timers moved to its new end, the entry's event is recorded with
    them, and an admin's change is written to the audit log under the same correlation id: all in the
    caller's unit of work.
    """

    def __init__(self, users: UserDirectory, audit: AuditLog, ids: IdGenerator, clock: Clock) -> None:
        self._users = users
        self._audit = audit
        self._ids = ids
        self._stamper = EventStamper(clock, ids)

    async def add(
        self, uow: SubscriptionsUnitOfWork, request: Request, actor: Actor, now: datetime, *, extend: bool
    ) -> VipChange:
        """Grant or extend (``extend``: only an active VIP), registering a fan YABOT did not know."""
        known = await uow.subscriptions.entry_by_key(request.key)
        if known is not None:
            ensure_same(known, request)
            return VipChange(await existing(uow, known.user_id), known, replayed=True)
        registration = await self._users.vouch_in(uow, request.user_id)
        current = await uow.subscriptions.get(request.user_id)
        active = current is not None and current.is_vip(now)
        if extend and not active:
            raise NotVipError(request.user_id)
        base = current.vip_until if current is not None and active else now
        if request.until is not None:
            end = checked_end(request.until, now)
            if current is not None and active and end <= current.vip_until:
                raise VipAlreadyLongerError(request.user_id, current.vip_until)
        else:
            end = checked_end(base + timedelta(days=request.days or 0), now)
        kind = EntryKind.EXTEND if active else EntryKind.GRANT
        change = await self.append(uow, current, kind, seconds_in(end - base), request, actor, now)
        return VipChange(change.subscription, change.entry, new_user=registration.created)

    async def active(
        self, uow: SubscriptionsUnitOfWork, request: Request, now: datetime
    ) -> Subscription | VipChange:
        """The fan's active subscription, or the first result of a replayed key; else ``NotVipError``."""
        known = await uow.subscriptions.entry_by_key(request.key)
        if known is not None:
            ensure_same(known, request)
            return VipChange(await existing(uow, known.user_id), known, replayed=True)
        current = await uow.subscriptions.get(request.user_id)
        if current is None or not current.is_vip(now):
            raise NotVipError(request.user_id)
        return current

    async def append(  # noqa: PLR0917  (every part of a change, each named at the call)
        self,
        uow: SubscriptionsUnitOfWork,
        current: Subscription | None,
        kind: EntryKind,
        seconds: int,
        request: Request,
        actor: Actor,
        now: datetime,
    ) -> VipChange:
        """Write the change that moves ``current``'s end by ``seconds`` (from ``now``, for a grant)."""
        stamp = self._stamper.stamp()
        base = now if kind is EntryKind.GRANT or current is None else current.vip_until
        entry = SubscriptionEntry(
            entry_id=self._ids.new_id(),
            user_id=request.user_id if current is None else current.user_id,
            sequence=1 if current is None else current.sequence + 1,
            kind=kind,
            days=request.days,
            requested_until=request.until,
            seconds=seconds,
            vip_until=base + timedelta(seconds=seconds),
            source=request.source.kind,
            reference=request.source.reference,
            plan_id=request.plan_id,
            reason=request.reason,
            idempotency_key=request.key,
            correlation_id=stamp["correlation_id"],
            actor=str(actor),
            created_at=now,
        )
        after = apply(current, entry)
        await uow.subscriptions.append(entry, after)
        await move_timers(uow, current, after, now)
        uow.record(event_for(stamp, entry, current, after))
        if actor.is_admin:
            await self._audit.record_in(
                uow,
                actor,
                f"subscriptions.{kind.value}",
                user_target(entry.user_id),
                detail=audited(entry),
                correlation_id=entry.correlation_id,
            )
        return VipChange(after, entry)


async def existing(uow: SubscriptionsUnitOfWork, user_id: UserId) -> Subscription:
    """The subscription of a fan whose history has entries (storage keeps both in one commit)."""
    current = await uow.subscriptions.get(user_id)
    if current is None:
        msg = f"user {user_id} has history entries but no subscription"
        raise RuntimeError(msg)
    return current


def seconds_in(delta: timedelta) -> int:
    """A change of ``vip_until`` in whole seconds (every time here is whole seconds already)."""
    return int(delta.total_seconds())


def audited(entry: SubscriptionEntry) -> dict[str, JsonValue]:
    """What the audit log keeps of an admin's change: enough to read it without the history."""
    detail: dict[str, JsonValue] = {
        "days": entry.days,
        "until": None if entry.requested_until is None else entry.requested_until.isoformat(),
        "reason": entry.reason,
        "reference": entry.reference,
        "vip_until": entry.vip_until.isoformat(),
        "seconds": entry.seconds,
        "idempotency_key": entry.idempotency_key,
        "entry_id": entry.entry_id,
    }
    return {name: value for name, value in detail.items() if value is not None}
