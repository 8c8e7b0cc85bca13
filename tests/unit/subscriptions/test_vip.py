"""The "is this fan VIP?" port: one read per fan per moment, exact at the end, fresh after local changes."""

import asyncio
from datetime import datetime, timedelta

import pytest

from tests.contracts.subscription_fixtures import subscription_service
from yabot_adapters.memory import InMemoryStorage
from yabot_core.audit import Actor
from yabot_core.kernel import FakeClock, UserId
from yabot_core.subscriptions import (
    Subscription,
    SubscriptionPage,
    SubscriptionQueries,
    SubscriptionService,
    SubscriptionStatement,
    VipCheck,
)

ANA = UserId(11)
DIANA = Actor.operator("diana")


class CountingQueries(SubscriptionQueries):
    """The real in-memory queries, counting the reads of one subscription; ``gate`` can hold them up."""

    def __init__(self, inner: SubscriptionQueries) -> None:
        self.inner = inner
        self.reads = 0
        self.gate: asyncio.Event | None = None

    async def get(self, user_id: UserId) -> Subscription | None:
        self.reads += 1
        found = await self.inner.get(user_id)
        if self.gate is not None:
            await self.gate.wait()
        return found

    async def statement(self, user_id: UserId, *, limit: int, offset: int) -> SubscriptionStatement:
        return await self.inner.statement(user_id, limit=limit, offset=offset)

    async def open_ending(
        self, *, after: datetime | None, before: datetime | None, limit: int, offset: int
    ) -> SubscriptionPage:
        return await self.inner.open_ending(after=after, before=before, limit=limit, offset=offset)


@pytest.fixture(name="queries")
def queries_fixture(storage: InMemoryStorage) -> CountingQueries:
    return CountingQueries(storage.subscription_queries)


@pytest.fixture(name="service")
def service_fixture(storage: InMemoryStorage, clock: FakeClock) -> SubscriptionService:
    return subscription_service(storage, clock)


async def test_a_fan_is_read_once_per_moment(queries: CountingQueries, clock: FakeClock) -> None:
    """Within the keeping time a fan's answer needs no read, VIP or not; after it, one read again."""
    vip = VipCheck(queries, clock, ttl=timedelta(seconds=2))
    for _ in range(5):
        assert not await vip.is_vip(ANA)
    assert queries.reads == 1
    clock.advance(timedelta(seconds=2))
    assert await vip.vip_until(ANA) is None
    assert queries.reads == 2


async def test_the_end_is_exact_without_reading_again(
    service: SubscriptionService, storage: InMemoryStorage, queries: CountingQueries, clock: FakeClock
) -> None:
    """What is kept is the subscription, not the answer: a VIP ends on the second, however long it is kept."""
    change = await service.grant(ANA, days=1, actor=DIANA, idempotency_key="g")
    vip = VipCheck(queries, clock, ttl=timedelta(days=2))
    assert await vip.vip_until(ANA) == change.subscription.vip_until
    clock.set(change.subscription.vip_until - timedelta(seconds=1))
    assert await vip.is_vip(ANA)
    clock.advance(timedelta(seconds=1))
    assert not await vip.is_vip(ANA)
    assert queries.reads == 1


async def test_the_service_forgets_what_it_changes(service: SubscriptionService, clock: FakeClock) -> None:
    """The service's own port sees its grants and revocations at once, whatever it kept before."""
    assert not await service.vip.is_vip(ANA)
    await service.grant(ANA, days=3, actor=DIANA, idempotency_key="g")
    assert await service.vip.is_vip(ANA)
    await service.revoke(ANA, actor=DIANA, idempotency_key="r")
    assert not await service.vip.is_vip(ANA)


async def test_a_read_older_than_a_change_is_not_kept(
    service: SubscriptionService, queries: CountingQueries, clock: FakeClock
) -> None:
    """A read that began before a local change answers its caller but is not kept for the next one."""
    vip = VipCheck(queries, clock, ttl=timedelta(minutes=5))
    queries.gate = asyncio.Event()
    slow = asyncio.create_task(vip.is_vip(ANA))
    await asyncio.sleep(0)  # the read has begun: it saw no subscription
    await service.grant(ANA, days=3, actor=DIANA, idempotency_key="g")
    vip.forget(ANA)  # what the service does for its own port
    queries.gate.set()
    assert not await slow
    queries.gate = None
    assert await vip.is_vip(ANA)


async def test_the_least_recently_asked_go_first(queries: CountingQueries, clock: FakeClock) -> None:
    """Past its capacity, the port drops the fan asked about longest ago."""
    vip = VipCheck(queries, clock, ttl=timedelta(minutes=5), capacity=2)
    for user in (1, 2, 1, 3):
        await vip.is_vip(UserId(user))
    assert queries.reads == 3
    await vip.is_vip(UserId(1))
    assert queries.reads == 3
    await vip.is_vip(UserId(2))
    assert queries.reads == 4


async def test_a_zero_keeping_time_reads_every_time(queries: CountingQueries, clock: FakeClock) -> None:
    """``ttl`` of zero keeps nothing; a negative one or no room at all is refused."""
    vip = VipCheck(queries, clock, ttl=timedelta(0))
    await vip.is_vip(ANA)
    await vip.is_vip(ANA)
    assert queries.reads == 2
    with pytest.raises(ValueError, match="non-negative"):
        VipCheck(queries, clock, ttl=timedelta(seconds=-1))
    with pytest.raises(ValueError, match="at least one"):
        VipCheck(queries, clock, capacity=0)
