"""Who the bot has seen in the VIP channel, and the reconciliation that shows out whoever has no VIP.

Telegram lets a bot ask about one member (``getChatMember``) but never list a channel's members, so YABOT
keeps its own roll: every ``chat_member`` update of the channel (a join, a leave, a removal) is written
down, with the time Telegram gave it. The reconciliation walks the fans last seen inside: a VIP stays;
anyone else is checked against Telegram (the member's real status, :class:`UserAccessChecked`) and, if
really inside and not an admin, shown out (ban, then unban), each removal written to the audit log in the
commit that marks them outside. It is the safety net under the expiry timers: a missed removal, a link
shared before YABOT ran, someone let in by hand.
"""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Final, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from yabot_core.audit import Actor, AuditLog, user_target
from yabot_core.kernel import (
    Clock,
    Event,
    EventStamper,
    IdGenerator,
    TimersUnitOfWork,
    Transactions,
    UserId,
    new_timer,
)
from yabot_core.subscriptions.door import VipDoor
from yabot_core.subscriptions.ports import SubscriptionsUnitOfWork

log = logging.getLogger(__name__)

RECONCILE_TIMER: Final = "subscriptions.reconcile"
"""The kind of the timer that runs the reconciliation (one process runs each, whatever runs at once)."""
RECONCILE_ACTION: Final = "subscriptions.reconcile_remove"
"""The audit action of a removal by the reconciliation."""
BATCH: Final = 100


class MemberSighting(BaseModel):
    """The last the bot saw of ``user_id`` in the VIP channel: inside or not, as of ``seen_at``."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    inside: bool
    seen_at: AwareDatetime


class UserAccessChecked(Event):
    """A member of the VIP channel was checked against their subscription and their status in Telegram.

    ``vip`` and ``inside`` are what was found; ``removed`` whether they were shown out; ``occasion`` why the
    check ran (``reconciliation``).
    """

    event_type: ClassVar[str] = "subscription.access_checked"

    user_id: UserId
    vip: bool
    inside: bool
    removed: bool
    occasion: str


class ChannelMemberRepository(Protocol):
    """The channel's roll inside one transaction."""

    async def get(self, user_id: UserId) -> MemberSighting | None:
        """Return the last sighting of ``user_id``, or ``None`` if the bot never saw them."""
        ...

    async def put(self, sighting: MemberSighting) -> None:
        """Store ``sighting`` as the fan's last, replacing the one stored."""
        ...


class ChannelMembersUnitOfWork(SubscriptionsUnitOfWork, Protocol):
    """A unit of work reaching the channel's roll (with the audit log and the outbox, for removals)."""

    @property
    def channel_members(self) -> ChannelMemberRepository:
        """The roll of this transaction."""
        ...


class ChannelMemberQueries(Protocol):
    """The committed roll."""

    async def inside(self, *, after: UserId | None, limit: int) -> Sequence[MemberSighting]:
        """Return up to ``limit`` fans last seen inside, by user id, those after ``after`` (keyset paging)."""
        ...


class ChannelMemberStorage(Protocol):
    """What a storage backend offers the roll besides its unit of work."""

    @property
    def channel_member_queries(self) -> ChannelMemberQueries:
        """The committed roll."""
        ...


class ReconcileReport(BaseModel):
    """What one reconciliation did: fans looked at, removed, spared (VIP or admin), found gone already."""

    model_config = ConfigDict(frozen=True)

    checked: int = 0
    removed: int = 0
    spared: int = 0
    gone: int = 0


class ChannelRoll:
    """Writes down who the bot sees come into and leave the VIP channel."""

    def __init__(
        self,
        transactions: Transactions[ChannelMembersUnitOfWork],
        queries: ChannelMemberQueries,
        clock: Clock,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._clock = clock

    async def saw(self, user_id: UserId, *, inside: bool, at: datetime | None = None) -> None:
        """Record that ``user_id`` was inside the channel (or not) at ``at`` (now, if not given).

        Telegram may deliver updates out of order: a sighting older than the stored one changes nothing.
        """
        sighting = MemberSighting(user_id=user_id, inside=inside, seen_at=at or self._clock.now())

        async def work(uow: ChannelMembersUnitOfWork) -> None:
            await _store_if_newer(uow, sighting)

        await self._transactions.run(work)

    async def inside(self, *, after: UserId | None = None, limit: int = BATCH) -> Sequence[MemberSighting]:
        """A page of the fans last seen inside (see :meth:`ChannelMemberQueries.inside`)."""
        return await self._queries.inside(after=after, limit=limit)


class Reconciliation:
    """Compares the fans seen inside the VIP channel with their subscriptions; shows out those without VIP."""

    def __init__(  # noqa: PLR0917  (the ports it joins, each named at the call)
        self,
        roll: ChannelRoll,
        door: VipDoor,
        transactions: Transactions[ChannelMembersUnitOfWork],
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._roll = roll
        self._door = door
        self._transactions = transactions
        self._audit = audit
        self._clock = clock
        self._stamper = EventStamper(clock, ids)

    async def run(self, *, batch: int = BATCH) -> ReconcileReport:
        """Walk the whole roll once; every removal and every check is committed before the next fan."""
        checked = removed = spared = gone = 0
        after: UserId | None = None
        while page := await self._roll.inside(after=after, limit=batch):
            for sighting in page:
                checked += 1
                outcome = await self._check(sighting.user_id)
                removed += outcome == "removed"
                spared += outcome == "spared"
                gone += outcome == "gone"
            after = page[-1].user_id
        report = ReconcileReport(checked=checked, removed=removed, spared=spared, gone=gone)
        log.info("VIP channel reconciliation: %s", report)
        return report

    async def _check(self, user_id: UserId) -> str:
        if await self._door.is_vip(user_id):
            return "vip"
        inside = await self._door.channel.is_inside(user_id)
        removed = inside and await self._door.show_out(user_id)
        now = self._clock.now()
        event = UserAccessChecked(
            **self._stamper.stamp(),
            user_id=user_id,
            vip=False,
            inside=inside,
            removed=removed,
            occasion="reconciliation",
        )

        async def work(uow: ChannelMembersUnitOfWork) -> None:
            if removed or not inside:
                await _store_if_newer(uow, MemberSighting(user_id=user_id, inside=False, seen_at=now))
            uow.record(event)
            if removed:
                await self._audit.record_in(
                    uow,
                    Actor.system(),
                    RECONCILE_ACTION,
                    user_target(user_id),
                    detail={"motivo": "en el canal VIP sin suscripción activa"},
                    correlation_id=event.correlation_id,
                )

        await self._transactions.run(work)
        if removed:
            return "removed"
        return "spared" if inside else "gone"


async def schedule_reconciliation(uow: TimersUnitOfWork, now: datetime, every_seconds: int) -> None:
    """Schedule the next reconciliation at the next multiple of ``every_seconds``, unless it is already.

    The key names the slot, so every process asking for the same slot asks for one timer; one already
    scheduled is left alone (replacing it would drop a ticker's claim on it).
    """
    slot = (int(now.timestamp()) // every_seconds + 1) * every_seconds
    key = f"vip:reconcile:{slot}"
    if await uow.timers.get(key) is not None:
        return
    due = datetime.fromtimestamp(slot, tz=now.tzinfo)
    await uow.timers.schedule(new_timer(key, RECONCILE_TIMER, due, now=now))


async def _store_if_newer(uow: ChannelMembersUnitOfWork, sighting: MemberSighting) -> None:
    stored = await uow.channel_members.get(sighting.user_id)
    if stored is not None and stored.seen_at > sighting.seen_at:
        return
    await uow.channel_members.put(sighting)
