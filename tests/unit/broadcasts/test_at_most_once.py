"""A property of broadcasts: whatever the fans, refusals and the moment of a crash, nobody gets two copies.

A runner sends until its process "dies" (every send after the k-th hangs, then the runner is cancelled, as a
SIGKILL would leave it); another takes over once the lease lapses. Every fan ends in exactly one state, the
counts add up, blocked and opted-out fans receive nothing, and fans received it at most once: exactly once
if counted sent, maybe once if counted uncertain.
"""

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.contracts.common import OPERATOR, make_user
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.memory.outgoing import InMemoryChats
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.audit import AuditLog
from yabot_core.broadcasts import Audience, Broadcaster, Broadcasts, BroadcastState, audience_of
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.users import UserDirectory

GUARD = 60.0


class Everyone:
    def __init__(self, storage: InMemoryStorage) -> None:
        self._storage = storage

    async def members(self, audience: Audience, now: datetime) -> Sequence[UserId]:
        return await self._storage.user_queries.ids(after=None, limit=1000)


def runner(storage: InMemoryStorage, clock: FakeClock, chats: InMemoryChats, name: str) -> Broadcaster:
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
        concurrency=4,
    )


async def scenario(fans: int, blocked: set[int], opted_out: set[int], away: int, crash_after: int) -> None:
    clock = FakeClock()
    storage = InMemoryStorage(clock)

    async def register(uow: StorageUnitOfWork) -> None:
        for n in range(1, fans + 1):
            await uow.users.save(make_user(clock, UserId(n), f"Fan {n}"))

    await storage.transactions.run(register)
    ids = SequentialIds("b")
    service = Broadcasts(
        storage.transactions,
        storage.broadcast_queries,
        AuditLog(storage.audit_queries, clock, ids),
        clock,
        ids,
    )
    for fan in opted_out:
        await service.set_category(UserId(fan), "ofertas", wanted=False)
    created = await service.create("Hola", audience_of("todos"), category="ofertas", actor=OPERATOR)
    blocked_ids = {UserId(fan) for fan in blocked}
    dying = InMemoryChats(blocked=set(blocked_ids), away=away, hang_after=crash_after)
    first = asyncio.create_task(runner(storage, clock, dying, "a").run_due())
    hung = asyncio.create_task(dying.wait_for(crash_after + 1))
    await asyncio.wait({first, hung}, timeout=GUARD, return_when=asyncio.FIRST_COMPLETED)
    for task in (first, hung):
        task.cancel()
    await asyncio.gather(first, hung, return_exceptions=True)
    clock.advance(timedelta(seconds=16))
    after = InMemoryChats(blocked=set(blocked_ids))
    await asyncio.wait_for(runner(storage, clock, after, "b").run_due(), GUARD)

    final = await service.progress(created.broadcast_id)
    assert final.state is BroadcastState.FINISHED
    assert final.total == fans
    assert final.sent + final.blocked + final.skipped + final.failed + final.uncertain == fans
    assert final.pending == final.sending == 0
    received = [*dying.received.items(), *after.received.items()]
    per_fan: dict[UserId, int] = {}
    for fan, texts in received:
        per_fan[fan] = per_fan.get(fan, 0) + len(texts)
    assert set(per_fan.values()) <= {1}  # nobody twice
    assert not set(per_fan) & {UserId(fan) for fan in opted_out}
    assert not set(per_fan) & blocked_ids
    assert final.sent <= len(per_fan) <= final.sent + final.uncertain
    assert final.skipped == len(opted_out)


@settings(max_examples=25, deadline=None)
@given(
    data=st.integers(min_value=1, max_value=30).flatmap(
        lambda fans: st.tuples(
            st.just(fans),
            st.sets(st.integers(1, fans), max_size=fans),
            st.sets(st.integers(1, fans), max_size=fans),
            st.integers(0, 4),
            st.integers(0, fans),
        )
    )
)
def test_nobody_receives_a_broadcast_twice_whatever_happens(
    data: tuple[int, set[int], set[int], int, int],
) -> None:
    """Any fans, blocked and opted-out sets, "not now" answers, and crash point: at most one copy each."""
    fans, blocked, opted_out, away, crash_after = data
    asyncio.run(scenario(fans, blocked - opted_out, opted_out, away, crash_after))
