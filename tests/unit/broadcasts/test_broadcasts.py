"""Broadcasts: opt-outs, 403s, Telegram away, cancelling, progress, resuming after a crash at most once."""

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from tests.contracts.common import OPERATOR, make_user
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.memory.outgoing import InMemoryChats
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.audit import AuditLog
from yabot_core.broadcasts import (
    Audience,
    AudienceKind,
    Broadcaster,
    BroadcastProgress,
    Broadcasts,
    BroadcastState,
    InvalidBroadcastError,
    UnknownCategoryError,
    audience_of,
)
from yabot_core.kernel import FakeClock, IdempotencyKeyReusedError, SequentialIds, UserId
from yabot_core.users import UserDirectory

FANS = 60


class Everyone:
    """Every registered fan (the application's audience reads users and subscriptions the same way)."""

    def __init__(self, storage: InMemoryStorage) -> None:
        self._storage = storage

    async def members(self, audience: Audience, now: datetime) -> Sequence[UserId]:
        if audience.kind is AudienceKind.LIST:
            return audience.user_ids
        return await self._storage.user_queries.ids(after=None, limit=100_000)


@pytest.fixture(name="broadcasts")
async def broadcasts_fixture(storage: InMemoryStorage, clock: FakeClock) -> Broadcasts:
    async def register(uow: StorageUnitOfWork) -> None:
        for n in range(1, FANS + 1):
            await uow.users.save(make_user(clock, UserId(n), f"Fan {n}"))

    await storage.transactions.run(register)
    ids = SequentialIds("b")
    return Broadcasts(
        storage.transactions,
        storage.broadcast_queries,
        AuditLog(storage.audit_queries, clock, ids),
        clock,
        ids,
    )


def runner(storage: InMemoryStorage, clock: FakeClock, chats: InMemoryChats, name: str = "r") -> Broadcaster:
    """A runner of 10 sends at once, reporting progress every 50 ms."""
    ids = SequentialIds(name)
    directory = UserDirectory(storage.transactions, storage.user_queries, clock, ids)
    return Broadcaster(
        storage.transactions,
        storage.broadcast_queries,
        Everyone(storage),
        chats,
        directory,
        clock,
        ids,
        concurrency=10,
        progress_every=0.05,
    )


class TestCreating:
    async def test_bad_broadcasts_are_refused_in_spanish(self, broadcasts: Broadcasts) -> None:
        """An empty text, an unknown category or audience, an empty list: clear errors, nothing stored."""
        with pytest.raises(InvalidBroadcastError, match="entre 1 y 4096"):
            await broadcasts.create("  ", audience_of("todos"), category="ofertas", actor=OPERATOR)
        with pytest.raises(UnknownCategoryError, match="spam"):
            await broadcasts.create("Hola", audience_of("todos"), category="spam", actor=OPERATOR)
        with pytest.raises(InvalidBroadcastError, match="audiencia"):
            audience_of("amigos")
        with pytest.raises(InvalidBroadcastError, match="lista"):
            audience_of("lista")
        assert await broadcasts.listing() == []

    async def test_a_key_creates_one_broadcast_however_often_it_is_sent(self, broadcasts: Broadcasts) -> None:
        """The same idempotency key returns the first broadcast; with another text it is refused."""
        first = await broadcasts.create(
            "Hola", audience_of("todos"), category="novedades", actor=OPERATOR, idempotency_key="tap-1"
        )
        again = await broadcasts.create(
            "Hola", audience_of("todos"), category="novedades", actor=OPERATOR, idempotency_key="tap-1"
        )
        assert again == first
        assert len(await broadcasts.listing()) == 1
        with pytest.raises(IdempotencyKeyReusedError):
            await broadcasts.create(
                "Adiós", audience_of("todos"), category="novedades", actor=OPERATOR, idempotency_key="tap-1"
            )

    async def test_a_vip_audience_is_always_protected(self, broadcasts: Broadcasts) -> None:
        """Messages to VIPs carry VIP content: ``protect_content`` whatever was asked."""
        created = await broadcasts.create(
            "Para VIP", audience_of("vip"), category="novedades", actor=OPERATOR
        )
        assert created.protect


class TestSending:
    async def test_blocked_fans_are_counted_marked_and_skipped_next_time(
        self, broadcasts: Broadcasts, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A 403 counts the fan ``bloqueado`` and marks them; the next broadcast does not even try them."""
        chats = InMemoryChats(blocked={UserId(7), UserId(8)})
        first = await broadcasts.create("Uno", audience_of("todos"), category="novedades", actor=OPERATOR)
        await runner(storage, clock, chats).run_due()
        assert (await broadcasts.progress(first.broadcast_id)).blocked == 2
        chats.blocked.clear()  # even if Telegram would take it now: we know they blocked us
        second = await broadcasts.create("Dos", audience_of("todos"), category="novedades", actor=OPERATOR)
        await runner(storage, clock, chats).run_due()
        final = await broadcasts.progress(second.broadcast_id)
        assert (final.sent, final.blocked) == (FANS - 2, 2)
        assert UserId(7) not in chats.received

    async def test_telegram_away_is_retried_then_counted_failed(
        self, broadcasts: Broadcasts, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """ "Not now" answers put fans back in line; three in a row for one fan count them ``fallido``."""
        chats = InMemoryChats(away=5)
        created = await broadcasts.create(
            "Hola", audience_of("lista", user_ids=[1, 2]), category="ofertas", actor=OPERATOR
        )
        await runner(storage, clock, chats).run_due()
        final = await broadcasts.progress(created.broadcast_id)
        assert final.sent + final.failed == 2
        assert final.failed >= 1
        assert all(len(texts) == 1 for texts in chats.received.values())

    async def test_progress_is_reported_live_and_at_the_end(
        self, broadcasts: Broadcasts, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The callback sees counts grow while sending, and the final counts once finished."""
        seen: list[BroadcastProgress] = []

        async def report(progress: BroadcastProgress) -> None:
            seen.append(progress)

        chats = InMemoryChats(delay=0.05)
        created = await broadcasts.create("Hola", audience_of("todos"), category="eventos", actor=OPERATOR)
        await runner(storage, clock, chats).run_due(report)
        assert len(seen) >= 2
        assert seen[-1].state is BroadcastState.FINISHED
        assert seen[-1].sent == FANS
        assert seen[-1].bar().endswith(f"100 % ({FANS}/{FANS})")
        assert any(0 < progress.sent < FANS for progress in seen[:-1])
        assert (await broadcasts.progress(created.broadcast_id)).sent == FANS

    async def test_a_cancelled_broadcast_reaches_nobody_else(
        self, broadcasts: Broadcasts, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Cancelling mid-way stops it between messages; those pending stay unsent."""
        chats = InMemoryChats(delay=0.01)
        created = await broadcasts.create("Hola", audience_of("todos"), category="eventos", actor=OPERATOR)
        task = asyncio.create_task(runner(storage, clock, chats).run_due())
        await asyncio.wait_for(chats.wait_for(5), 60)
        await broadcasts.cancel(created.broadcast_id, actor=OPERATOR)
        await asyncio.wait_for(task, 60)
        final = await broadcasts.progress(created.broadcast_id)
        assert final.state is BroadcastState.CANCELLED
        assert final.sent < FANS
        assert chats.total() == final.sent


class TestResuming:
    async def test_a_crash_mid_send_resumes_without_sending_anyone_twice(
        self, broadcasts: Broadcasts, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """The runner dies while messages are in flight; another takes over once its lease lapses.

        Fans whose message was in flight (claimed, unanswered) are ``incierto``, never sent again; everyone
        else gets it exactly once.
        """
        hanging = InMemoryChats(delay=3600)  # every send hangs after it reached the fan
        created = await broadcasts.create("Hola", audience_of("todos"), category="novedades", actor=OPERATOR)
        dying = asyncio.create_task(runner(storage, clock, hanging, "dies").run_due())
        await asyncio.wait_for(hanging.wait_for(10), 60)
        dying.cancel()  # as a SIGKILL would, nothing of the runner's goes on
        with pytest.raises(asyncio.CancelledError):
            await dying
        in_flight = set(hanging.received)
        chats = InMemoryChats()
        assert await runner(storage, clock, chats, "early").run_due() == 0  # the lease still holds
        clock.advance(timedelta(seconds=16))
        assert await runner(storage, clock, chats, "next").run_due() == 1
        final = await broadcasts.progress(created.broadcast_id)
        assert final.uncertain == len(in_flight)
        assert final.sent == FANS - len(in_flight)
        assert not in_flight & set(chats.received)
        assert all(len(texts) == 1 for texts in chats.received.values())
