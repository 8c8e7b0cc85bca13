"""Broadcasts' storage on every backend: the cursor and per-recipient state, preferences, and the lease.

Two runners racing for one broadcast (as two processes would) send each fan the message once: the lease
and each recipient's claim are versioned writes storage decides.
"""

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import OPERATOR, BoomError, make_user, recorded_events
from yabot_adapters.memory.outgoing import InMemoryChats
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.audit import AuditLog
from yabot_core.broadcasts import (
    Audience,
    AudienceKind,
    Broadcast,
    Broadcaster,
    Broadcasts,
    BroadcastState,
    NotificationPreferences,
    NotificationSent,
    RecipientState,
    audience_of,
)
from yabot_core.kernel import ConcurrentUpdateError, FakeClock, SequentialIds, UserId
from yabot_core.users import UserDirectory

FANS = 30


class EveryoneListed:
    """The audience of a list, or of every registered fan (what the application composes)."""

    def __init__(self, storage: StorageBackend) -> None:
        self._storage = storage

    async def members(self, audience: Audience, now: datetime) -> Sequence[UserId]:
        if audience.kind is AudienceKind.LIST:
            return audience.user_ids
        return await self._storage.user_queries.ids(after=None, limit=100_000)


def a_broadcast(clock: FakeClock, broadcast_id: str = "b1", *, minutes: int = 0) -> Broadcast:
    return Broadcast(
        broadcast_id=broadcast_id,
        text="¡Rebajas esta noche!",
        audience=audience_of("lista", user_ids=[1, 2, 3]),
        category="ofertas",
        protect=False,
        start_at=clock.now() + timedelta(minutes=minutes),
        created_by="operador:pruebas",
        created_at=clock.now(),
    )


async def run(storage: StorageBackend, work: object) -> object:
    return await storage.transactions.run(work)  # type: ignore[arg-type]


class BroadcastsContract(ContractBase):
    """What every backend's broadcasts slice must do."""

    async def test_broadcasts_are_versioned_and_listed(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A broadcast reads back whole; a stale version is refused; runnable ones are active and due."""
        first, later = a_broadcast(clock), a_broadcast(clock, "b2", minutes=30)

        async def save(uow: StorageUnitOfWork) -> None:
            await uow.broadcasts.save(first)
            await uow.broadcasts.save(later)

        await run(storage, save)
        assert await storage.broadcast_queries.get("b1") == first

        async def stale(uow: StorageUnitOfWork) -> None:
            await uow.broadcasts.save(first.changed(state=BroadcastState.SENDING))
            await uow.broadcasts.save(first.changed(state=BroadcastState.CANCELLED))

        with pytest.raises(ConcurrentUpdateError):
            await run(storage, stale)
        assert await storage.broadcast_queries.get("b1") == first
        assert [
            item.broadcast_id for item in await storage.broadcast_queries.runnable(clock.now(), limit=5)
        ] == ["b1"]
        listed = await storage.broadcast_queries.listing(limit=5)
        assert [item.broadcast_id for item in listed] == ["b2", "b1"]

    async def test_recipients_are_added_once_and_paged_by_state(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Adding a fan twice adds them once; pages go by user id after the cursor; counts add up."""
        await run(storage, lambda uow: uow.broadcasts.save(a_broadcast(clock)))

        async def add(uow: StorageUnitOfWork) -> int:
            return await uow.broadcasts.add_recipients("b1", [UserId(n) for n in (5, 1, 3)])

        async def add_again(uow: StorageUnitOfWork) -> int:
            return await uow.broadcasts.add_recipients("b1", [UserId(n) for n in (3, 7)])

        assert await run(storage, add) == 3
        assert await run(storage, add_again) == 1

        async def mark(uow: StorageUnitOfWork) -> None:
            recipient = await uow.broadcasts.recipient("b1", UserId(3))
            assert recipient is not None
            await uow.broadcasts.save_recipient(recipient.model_copy(update={"state": RecipientState.SENT}))

        await run(storage, mark)
        queries = storage.broadcast_queries
        pending = await queries.recipients("b1", RecipientState.PENDING, after=None, limit=2)
        assert [recipient.user_id for recipient in pending] == [1, 5]
        rest = await queries.recipients("b1", RecipientState.PENDING, after=UserId(5), limit=2)
        assert [recipient.user_id for recipient in rest] == [7]
        assert dict(await queries.counts("b1")) == {RecipientState.PENDING: 3, RecipientState.SENT: 1}
        assert not await queries.counts("b2")

    async def test_preferences_start_empty_and_are_versioned(self, storage: StorageBackend) -> None:
        """A fan who never chose wants everything; saving over a stale version is refused."""
        fan = UserId(9)
        assert await storage.broadcast_queries.preferences(fan) == NotificationPreferences(user_id=fan)
        first = NotificationPreferences(user_id=fan, opted_out=frozenset({"ofertas"}), version=1)
        await run(storage, lambda uow: uow.broadcasts.save_preferences(first))
        assert await storage.broadcast_queries.preferences(fan) == first

        async def stale(uow: StorageUnitOfWork) -> None:
            await uow.broadcasts.save_preferences(first)
            raise BoomError

        with pytest.raises(ConcurrentUpdateError):
            await run(storage, stale)

    async def test_two_runners_send_each_fan_once_skipping_the_blocked_and_the_opted_out(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Two runners race for a broadcast to 30 fans: each gets it once; blocked and opted-out counted."""
        ids = SequentialIds("b")
        directory = UserDirectory(storage.transactions, storage.user_queries, clock, ids)

        async def register(uow: StorageUnitOfWork) -> None:
            for n in range(1, FANS + 1):
                await uow.users.save(make_user(clock, UserId(n), f"Fan {n}"))

        await run(storage, register)
        audit = AuditLog(storage.audit_queries, clock, ids)
        broadcasts = Broadcasts(storage.transactions, storage.broadcast_queries, audit, clock, ids)
        await broadcasts.set_category(UserId(2), "ofertas", wanted=False)
        chats = InMemoryChats(blocked={UserId(3)}, delay=0.001)
        runners = [
            Broadcaster(
                storage.transactions,
                storage.broadcast_queries,
                EveryoneListed(storage),
                chats,
                directory,
                clock,
                ids,
                concurrency=8,
            )
            for _ in range(2)
        ]
        created = await broadcasts.create(
            "Ofertas <b>de</b> hoy", audience_of("todos"), category="ofertas", actor=OPERATOR
        )
        await asyncio.gather(*(runner.run_due() for runner in runners))
        progress = await broadcasts.progress(created.broadcast_id)
        assert progress.state is BroadcastState.FINISHED
        assert (progress.total, progress.sent, progress.blocked, progress.skipped) == (FANS, FANS - 2, 1, 1)
        assert sorted(chats.received) == [n for n in range(1, FANS + 1) if n not in {2, 3}]
        assert all(
            texts == [("Ofertas &lt;b&gt;de&lt;/b&gt; hoy", False)] for texts in chats.received.values()
        )
        assert not (await directory.get(UserId(3))).reachable
        sent = [event for event in await recorded_events(storage) if isinstance(event, NotificationSent)]
        assert len(sent) == FANS - 2
