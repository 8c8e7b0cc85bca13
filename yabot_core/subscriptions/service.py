"""The subscription service: VIP granted, extended, revoked, cancelled, expired and refunded, each once.

Every change appends one history entry, moves the subscription, publishes one event and, when an admin made
it, writes the audit log, all in one unit of work.
"""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import (
    Clock,
    IdempotencyKey,
    IdGenerator,
    InvalidInputError,
    TimerFired,
    Transactions,
    UserId,
    checked_note,
    checked_user_id,
)
from yabot_core.subscriptions.changes import Changes, existing, seconds_in
from yabot_core.subscriptions.errors import (
    ChargeNotFoundError,
    RenewalAlreadyCancelledError,
)
from yabot_core.subscriptions.models import (
    EntryKind,
    Source,
    Subscription,
    SubscriptionEntry,
    SubscriptionPage,
    SubscriptionStatement,
    SubscriptionStatus,
    VipChange,
)
from yabot_core.subscriptions.plans import PlanCatalog
from yabot_core.subscriptions.ports import SubscriptionQueries, SubscriptionsUnitOfWork
from yabot_core.subscriptions.timers import timer_user
from yabot_core.subscriptions.validation import (
    ADDING,
    CANCELLING,
    EXPIRING,
    MAX_PAGE_SIZE,
    REFUNDING,
    REVOKING,
    Request,
    check_page,
    checked_reference,
    checked_request,
    expiry_key,
    payment_key,
    refund_key,
    whole_seconds,
)
from yabot_core.subscriptions.vip import DEFAULT_TTL, VipCheck
from yabot_core.users import UserDirectory


class SubscriptionService:
    """Every fan's VIP over any storage adapter.

    Each operation takes an idempotency key: the same key again returns the first result and changes nothing,
    and a key reused for another operation is refused (``IdempotencyKeyReusedError``). YABOT derives the
    keys of payments (one grant per Telegram charge id), refunds (one per charge) and expiries (one per
    period) itself, so at-least-once delivery of a payment update or a timer has exactly-once effects.
    Times are whole seconds of the injected clock.
    """

    def __init__(
        self,
        *,
        transactions: Transactions[SubscriptionsUnitOfWork],
        queries: SubscriptionQueries,
        users: UserDirectory,
        audit: AuditLog,
        plans: PlanCatalog,
        clock: Clock,
        ids: IdGenerator,
        vip_ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._plans = plans
        self._clock = clock
        self._changes = Changes(users, audit, ids, clock)
        self._vip = VipCheck(queries, clock, ttl=vip_ttl)

    @property
    def vip(self) -> VipCheck:
        """The "is this fan VIP?" port, kept fresh by this service's own changes."""
        return self._vip

    @property
    def plans(self) -> PlanCatalog:
        """The plans on sale (loaded once, at start-up)."""
        return self._plans

    # --- changes ----------------------------------------------------------------------------------------

    async def grant(
        self,
        user_id: UserId,
        *,
        days: int | None = None,
        until: datetime | None = None,
        actor: Actor,
        idempotency_key: str,
        reason: str | None = None,
        source: Source | None = None,
        plan_id: str | None = None,
    ) -> VipChange:
        """Give ``days`` of VIP, or VIP up to ``until``: start a period, or extend the active one.

        A fan YABOT does not know yet is registered in the same unit of work. Publishes
        ``SubscriptionStarted`` or ``SubscriptionExtended``.

        Raises:
            InvalidDurationError: both or neither of ``days`` and ``until``, or out of limits.
            VipAlreadyLongerError: the active VIP already reaches ``until``.
            UnknownPlanError, InvalidInputError, IdempotencyKeyReusedError: a bad plan, id, key or reason.
        """
        request = self._adding(user_id, days, until, idempotency_key, reason, source, plan_id)
        return await self._run(
            request.user_id, lambda uow: self._changes.add(uow, request, actor, self._now(), extend=False)
        )

    async def grant_in(
        self,
        uow: SubscriptionsUnitOfWork,
        user_id: UserId,
        *,
        days: int | None = None,
        until: datetime | None = None,
        actor: Actor,
        idempotency_key: str,
        reason: str | None = None,
        source: Source | None = None,
        plan_id: str | None = None,
    ) -> VipChange:
        """:meth:`grant` inside the caller's unit of work (a token redeemed and VIP granted at once).

        Raises what :meth:`grant` raises; raising undoes the caller's whole unit of work. The caller commits
        after this returns, so this process's :attr:`vip` may answer from before the change for up to its
        keeping time (as for a change made by another process).
        """
        request = self._adding(user_id, days, until, idempotency_key, reason, source, plan_id)
        change = await self._changes.add(uow, request, actor, self._now(), extend=False)
        self._vip.forget(request.user_id)
        return change

    async def grant_many(
        self,
        grants: Sequence[tuple[UserId, int | None, datetime | None]],
        *,
        actor: Actor,
        idempotency_key: str,
        reason: str | None = None,
    ) -> list[VipChange]:
        """Grant several fans at once (``(user, days, until)`` each), all or none, in one unit of work.

        Each grant's key is ``idempotency_key`` and the fan's id, so the same batch again returns the first
        results and changes nothing. Every request is checked before anything is written.

        Raises:
            InvalidInputError: no grants, more than ``MAX_PAGE_SIZE``, or a fan named twice.
            And what :meth:`grant` raises, for any of them (then nobody was granted anything).
        """
        if not grants or len(grants) > MAX_PAGE_SIZE:
            raise InvalidInputError(f"Indique entre 1 y {MAX_PAGE_SIZE} concesiones por lote.")
        requests = [
            self._adding(user, days, until, f"{idempotency_key}:{user}", reason, None, None)
            for user, days, until in grants
        ]
        users = [request.user_id for request in requests]
        if len(set(users)) != len(users):
            raise InvalidInputError("Cada usuario puede aparecer una sola vez en el lote.")

        async def work(uow: SubscriptionsUnitOfWork) -> list[VipChange]:
            now = self._now()
            return [await self._changes.add(uow, r, actor, now, extend=False) for r in requests]

        changes = await self._transactions.run(work)
        for user in users:
            self._vip.forget(user)
        return changes

    async def extend(
        self,
        user_id: UserId,
        *,
        days: int | None = None,
        until: datetime | None = None,
        actor: Actor,
        idempotency_key: str,
        reason: str | None = None,
        source: Source | None = None,
    ) -> VipChange:
        """Add time to an active VIP only (a renewal); publishes ``SubscriptionExtended``.

        Raises:
            NotVipError: the fan has no active VIP.
            InvalidDurationError, VipAlreadyLongerError, InvalidInputError, IdempotencyKeyReusedError: as
                for :meth:`grant`.
        """
        request = self._adding(user_id, days, until, idempotency_key, reason, source, None)
        return await self._run(
            request.user_id, lambda uow: self._changes.add(uow, request, actor, self._now(), extend=True)
        )

    async def pay(self, user_id: UserId, plan_id: str, charge_id: str) -> VipChange:
        """Apply a Telegram Stars payment for ``plan_id``: its days, once per ``telegram_payment_charge_id``.

        The payment update may come twice: the second changes nothing and returns the first result.

        Raises:
            UnknownPlanError: no such plan.
            InvalidInputError: a bad user id or charge id.
            IdempotencyKeyReusedError: the charge id was applied to another fan.
        """
        plan = self._plans.plan(plan_id)
        charge = checked_reference(charge_id)
        return await self.grant(
            user_id,
            days=plan.days,
            actor=Actor.user(checked_user_id(user_id)),
            idempotency_key=payment_key(charge),
            source=Source.payment(charge),
            plan_id=plan.id,
        )

    async def refund(self, charge_id: str, *, actor: Actor, reason: str | None = None) -> VipChange:
        """Take back the time a refunded payment bought; publishes ``SubscriptionRefunded``, once per charge.

        The time comes off the fan's current VIP, never below now (nothing left ends it); a payment from an
        earlier period, whose time is gone already, takes nothing off. Refunding the Stars themselves is the
        caller's part (Telegram's ``refundStarPayment``).

        Raises:
            ChargeNotFoundError: no VIP was paid with that charge id.
            InvalidInputError: a bad charge id or reason.
        """
        charge = checked_reference(charge_id)
        note = checked_note(reason)

        async def work(uow: SubscriptionsUnitOfWork) -> VipChange:
            paid = await uow.subscriptions.entry_by_key(IdempotencyKey(payment_key(charge)))
            if paid is None:
                raise ChargeNotFoundError(charge)
            key = IdempotencyKey(refund_key(charge))
            request = Request(paid.user_id, REFUNDING, key, Source.payment(charge), reason=note)
            known = await uow.subscriptions.entry_by_key(key)
            current = await existing(uow, paid.user_id)
            if known is not None:
                return VipChange(current, known, replayed=True)
            now = self._now()
            seconds = 0
            if current.is_vip(now) and paid.sequence >= current.period_sequence:
                left = max(current.vip_until - timedelta(seconds=paid.seconds), now)
                seconds = seconds_in(left - current.vip_until)
            return await self._changes.append(uow, current, EntryKind.REFUND, seconds, request, actor, now)

        change = await self._transactions.run(work)
        self._vip.forget(change.entry.user_id)
        return change

    async def revoke(
        self, user_id: UserId, *, actor: Actor, idempotency_key: str, reason: str | None = None
    ) -> VipChange:
        """End an active VIP now; publishes ``SubscriptionRevoked``.

        Raises:
            NotVipError: the fan has no active VIP.
            InvalidInputError, IdempotencyKeyReusedError: a bad id, key or reason; a key used for another
                operation.
        """
        request = checked_request(user_id, REVOKING, idempotency_key, source=Source.operator(), reason=reason)

        async def work(uow: SubscriptionsUnitOfWork) -> VipChange:
            current = await self._changes.active(uow, request, self._now())
            if isinstance(current, VipChange):
                return current
            now = self._now()
            seconds = seconds_in(now - current.vip_until)
            return await self._changes.append(uow, current, EntryKind.REVOKE, seconds, request, actor, now)

        return await self._run(request.user_id, work)

    async def cancel(
        self, user_id: UserId, *, actor: Actor, idempotency_key: str, reason: str | None = None
    ) -> VipChange:
        """Turn renewal off: VIP lasts until its end, then expires; publishes ``SubscriptionCancelled``.

        Raises:
            NotVipError: the fan has no active VIP.
            RenewalAlreadyCancelledError: it was cancelled already.
            InvalidInputError, IdempotencyKeyReusedError: as for :meth:`revoke`.
        """
        request = checked_request(
            user_id, CANCELLING, idempotency_key, source=Source.operator(), reason=reason
        )

        async def work(uow: SubscriptionsUnitOfWork) -> VipChange:
            current = await self._changes.active(uow, request, self._now())
            if isinstance(current, VipChange):
                return current
            if current.cancelled_at is not None:
                raise RenewalAlreadyCancelledError(request.user_id)
            return await self._changes.append(uow, current, EntryKind.CANCEL, 0, request, actor, self._now())

        return await self._run(request.user_id, work)

    async def expire(self, user_id: UserId) -> VipChange | None:
        """Close the fan's VIP if its time has run out; publishes ``SubscriptionExpired``.

        What the expiry timer and sweep call. Only a lapsed subscription is closed: one still active (it
        was extended meanwhile), already closed, or missing is left alone and ``None`` returned, so calling
        it twice, or from two processes, closes each period once.
        """
        user = checked_user_id(user_id)

        async def work(uow: SubscriptionsUnitOfWork) -> VipChange | None:
            current = await uow.subscriptions.get(user)
            now = self._now()
            if current is None or current.status(now) is not SubscriptionStatus.LAPSED:
                return None
            request = Request(
                user, EXPIRING, IdempotencyKey(expiry_key(user, current.period_sequence)), Source.system()
            )
            return await self._changes.append(uow, current, EntryKind.EXPIRE, 0, request, Actor.system(), now)

        change = await self._transactions.run(work)
        self._vip.forget(user)
        return change

    async def on_expiry_due(self, event: TimerFired) -> VipChange | None:
        """The expiry timer's handler: :meth:`expire` its fan (a no-op if renewed meanwhile)."""
        return await self.expire(timer_user(event))

    async def sweep(self, *, batch: int = 100) -> int:
        """Expire every subscription whose time has run out and is still open; return how many were closed.

        The safety net under the expiry timers (a subscription from before they existed, a timer lost
        with a restored backup): safe beside them and in several processes at once, since :meth:`expire`
        closes each period once.
        """
        closed = 0
        while True:
            page = await self.due(limit=batch)
            expired = [await self.expire(sub.user_id) for sub in page.subscriptions]
            closed += sum(change is not None for change in expired)
            if len(page.subscriptions) < batch or not any(expired):
                return closed

    # --- queries ----------------------------------------------------------------------------------------

    async def payment(self, charge_id: str) -> SubscriptionEntry | None:
        """The history entry a Stars payment made (``None`` if no VIP was paid with that charge id).

        Raises:
            InvalidInputError: a bad charge id.
        """
        key = IdempotencyKey(payment_key(checked_reference(charge_id)))

        async def read(uow: SubscriptionsUnitOfWork) -> SubscriptionEntry | None:
            return await uow.subscriptions.entry_by_key(key)

        return await self._transactions.run(read)

    async def status(self, user_id: UserId) -> Subscription | None:
        """The fan's subscription as committed (``None`` if they never had VIP); never from memory."""
        return await self._queries.get(checked_user_id(user_id))

    async def statement(self, user_id: UserId, *, limit: int = 20, offset: int = 0) -> SubscriptionStatement:
        """The subscription and a page of its history, newest first, from one snapshot.

        Raises:
            InvalidInputError: ``limit`` outside 1..100, or ``offset`` outside 0..``MAX_OFFSET``.
        """
        check_page(limit, offset)
        return await self._queries.statement(checked_user_id(user_id), limit=limit, offset=offset)

    async def active(
        self, *, within: timedelta | None = None, limit: int = 20, offset: int = 0
    ) -> SubscriptionPage:
        """The VIPs, soonest end first (only those ending within ``within`` from now, if given).

        Raises:
            InvalidInputError: a bad page, or a negative ``within``.
        """
        check_page(limit, offset)
        if within is not None and within <= timedelta(0):
            raise InvalidInputError("El plazo debe ser positivo.")
        now = self._now()
        before = None if within is None else now + within
        return await self._queries.open_ending(after=now, before=before, limit=limit, offset=offset)

    async def due(self, *, limit: int = 100) -> SubscriptionPage:
        """Subscriptions whose time has run out and that are not closed yet (for the expiry sweep)."""
        check_page(limit, 0)
        return await self._queries.open_ending(after=None, before=self._now(), limit=limit, offset=0)

    # --- inside the transaction -------------------------------------------------------------------------

    def _adding(  # noqa: PLR0917  (private, the public signatures name them)
        self,
        user_id: UserId,
        days: int | None,
        until: datetime | None,
        key: str,
        reason: str | None,
        source: Source | None,
        plan_id: str | None,
    ) -> Request:
        plan = None if plan_id is None else self._plans.plan(plan_id).id
        return checked_request(
            user_id,
            ADDING,
            key,
            source=source or Source.operator(),
            days=days,
            until=until,
            reason=reason,
            plan_id=plan,
        )

    async def _run(
        self, user_id: UserId, work: Callable[[SubscriptionsUnitOfWork], Awaitable[VipChange]]
    ) -> VipChange:
        change = await self._transactions.run(work)
        self._vip.forget(user_id)
        return change

    def now(self) -> datetime:
        """The service's clock, in whole seconds (what "VIP now" is measured against)."""
        return self._now()

    def _now(self) -> datetime:
        return whole_seconds(self._clock.now())
