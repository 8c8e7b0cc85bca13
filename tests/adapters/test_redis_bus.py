"""The Redis Streams bus on a real redis-server: the bus contract, then partitions, leases and trimming."""

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from tests.contracts.event_bus import (
    HANG_GUARD,
    BusFactory,
    EventBusContract,
    Pinged,
    Ponged,
    Sleeps,
    eventually,
    guard,
    ping,
    pong,
    publish,
)
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.redis import PUBLISHER, RedisEventBus, RedisUnreachableError
from yabot_adapters.redis.streams import stream_id
from yabot_core.kernel import Clock, EventProcessingFailed, FakeClock, SequentialIds, UnavailableError

LEASE = 0.5
"""Seconds a partition lease (and a claim's idle time) lasts in these tests: short, so takeovers are quick."""

_bus_numbers = itertools.count()


def redis_bus(
    client: Redis, prefix: str, storage: Any, clock: Clock, sleeps: Sleeps, **options: Any
) -> RedisEventBus:
    """A bus as one process would have it (its own consumer name), on the test's key prefix."""
    options.setdefault("lease_ttl", LEASE)
    return RedisEventBus(
        storage,
        client,
        clock=clock,
        ids=SequentialIds(f"bus{next(_bus_numbers)}-"),
        sleep=sleeps,
        prefix=prefix,
        **options,
    )


@pytest.fixture(name="sleeps")
def sleeps_fixture() -> Sleeps:
    return Sleeps()


@pytest.fixture(name="make_redis_bus")
def make_redis_bus_fixture(redis_client: Redis, redis_prefix: str) -> BusFactory:
    def make(storage: Any, clock: Clock, sleeps: Sleeps, **options: Any) -> RedisEventBus:
        return redis_bus(redis_client, redis_prefix, storage, clock, sleeps, **options)

    return make


class TestRedisBusContract(EventBusContract):
    """The Redis Streams bus keeps the event bus contract."""

    @pytest.fixture(name="make_bus")
    def make_bus_fixture(self, make_redis_bus: BusFactory) -> BusFactory:
        return make_redis_bus


async def pending_entries(client: Redis, bus: RedisEventBus, group: str) -> int:
    """How many entries ``group`` was given and has not acknowledged, over every partition."""
    total = 0
    for stream in bus.layout.streams:
        summary: Any = await client.xpending(stream, group)
        total += int(summary["pending"])
    return total


class TestPartitions:
    """Users map to partitions stably; consumers of one group share partitions and keep each user's order."""

    async def test_two_consumers_of_one_group_keep_each_users_order(
        self, make_redis_bus: BusFactory, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Two processes consuming one group both work, each on its own partitions; every order holds."""
        storage = InMemoryStorage(clock)
        seen: dict[int, list[int]] = {}
        by: dict[str, set[int]] = {}
        all_done = asyncio.Event()

        def handler(name: str) -> Callable[[Pinged], Awaitable[None]]:
            async def on_ping(event: Pinged) -> None:
                await asyncio.sleep(0)  # let the other consumer interleave
                seen.setdefault(event.user_id, []).append(event.n)
                by.setdefault(name, set()).add(event.user_id)
                if sum(map(len, seen.values())) == 200:
                    all_done.set()

            return on_ping

        # A long lease: no process here dies, and a busy machine must not make one look dead.
        buses = [make_redis_bus(storage, clock, sleeps, poll_interval=0.05, lease_ttl=30) for _ in range(2)]
        for bus, name in zip(buses, "ab", strict=True):
            bus.subscribe(Pinged, handler(name), name="ordered")
        for bus in [*buses, *buses]:  # both join, then the first gives the second its half
            await bus.deliver_pending()
        for bus in buses:
            await bus.start()
        try:
            for n in range(200):  # users 0..9 fall in all 8 partitions
                await publish(storage, clock, ping(n % 10, n))
            await guard(all_done.wait())
        finally:
            for bus in buses:
                await bus.stop(drain_timeout=HANG_GUARD)
        for user in range(10):
            assert seen[user] == [n for n in range(200) if n % 10 == user]
        assert sum(map(len, seen.values())) == 200  # each once
        assert by["a"]
        assert by["b"]
        assert by["a"].isdisjoint(by["b"])  # a user's partition had one reader

    async def test_consumers_share_the_partitions_between_them(
        self, make_redis_bus: BusFactory, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """With two live consumers of a group, each ends up holding half of the partitions, none twice."""
        storage = InMemoryStorage(clock)

        async def handler(event: Pinged) -> None:
            return None

        first, second = (make_redis_bus(storage, clock, sleeps, partitions=8) for _ in range(2))
        for bus in (first, second):
            bus.subscribe(Pinged, handler, name="shared")
        one, two = (bus._consumers["shared"] for bus in (first, second))  # type: ignore[attr-defined]
        await first.deliver_pending()
        assert one.held == list(range(8))  # alone: it holds every partition
        await second.deliver_pending()  # two live now: it takes what is free (nothing yet)
        await first.deliver_pending()  # its share is 4: it gives the rest up
        await second.deliver_pending()
        assert len(one.held) == len(two.held) == 4
        assert set(one.held).isdisjoint(two.held)


Step = tuple[str, int]
"""``("publish", user)`` commits a ping for ``user``; ``("consume", n)`` lets process ``n`` run a pass."""

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("publish"), st.integers(min_value=0, max_value=11)),
        st.tuples(st.just("consume"), st.integers(min_value=0, max_value=1)),
    ),
    max_size=40,
)


class TestOrderProperty:
    """However two consumers of a group take turns (partitions moving between them), user order holds."""

    @settings(max_examples=25, deadline=None)
    @given(steps=STEPS)
    def test_any_interleaving_keeps_each_users_order_and_handles_each_once(
        self, redis_url: str, steps: list[Step]
    ) -> None:
        """Publishing and two processes' passes in any order: every event once, each user's in order."""
        asyncio.run(_interleave(redis_url, steps))


async def _interleave(redis_url: str, steps: list[Step]) -> None:
    clock = FakeClock()
    storage = InMemoryStorage(clock)
    client = Redis.from_url(redis_url, decode_responses=True)
    prefix = f"yabot-test-{uuid.uuid4().hex[:12]}"
    try:
        seen: list[tuple[int, int]] = []

        async def on_ping(event: Pinged) -> None:
            seen.append((event.user_id, event.n))

        buses = [
            redis_bus(client, prefix, storage, clock, Sleeps(), partitions=4, lease_ttl=30) for _ in range(2)
        ]
        for bus in buses:
            bus.subscribe(Pinged, on_ping, name="ordered")
        published: list[tuple[int, int]] = []
        for kind, value in steps:
            if kind == "publish":
                published.append((value, len(published)))
                await publish(storage, clock, ping(*published[-1]))
            else:
                await buses[value].deliver_pending()
        async with asyncio.timeout(HANG_GUARD):
            while await buses[0].backlog():  # a partition given up mid-pass waits for the other's next pass
                for bus in buses:
                    await bus.deliver_pending()
        assert sorted(seen, key=lambda pair: pair[1]) == published  # each once
        for user in {user for user, _ in published}:
            assert [n for u, n in seen if u == user] == [n for u, n in published if u == user]
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


class TestIsolation:
    """A group that is slow or failing delays only itself."""

    async def test_a_failing_group_does_not_hold_back_another(
        self, make_redis_bus: BusFactory, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """While one handler's group fails every event (and dead-letters it), another's gets them all."""
        storage = InMemoryStorage(clock)
        bus = make_redis_bus(storage, clock, sleeps)
        good: list[int] = []
        failures: list[EventProcessingFailed] = []

        async def broken(event: Pinged) -> None:
            raise RuntimeError("caído")

        async def fine(event: Pinged) -> None:
            good.append(event.n)

        async def alerts(event: EventProcessingFailed) -> None:
            failures.append(event)

        bus.subscribe(Pinged, broken, name="broken")
        bus.subscribe(Pinged, fine, name="fine")
        bus.subscribe(EventProcessingFailed, alerts, name="alerts")
        await publish(storage, clock, ping(1, 1), ping(2, 2), ping(1, 3))
        await bus.deliver_pending()
        assert sorted(good) == [1, 2, 3]
        assert [n for n in good if n != 2] == [1, 3]  # user 1's in order
        assert len(failures) == 3


class TestReclaiming:
    """A consumer that dies mid-handling leaves its entry to another, which handles it once after a lease."""

    async def test_a_dead_consumers_entry_is_reclaimed_after_the_lease_and_handled_once(
        self, make_redis_bus: BusFactory, redis_client: Redis, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """The first consumer takes the entry and never acknowledges it; the second handles it, once."""
        storage = InMemoryStorage(clock)
        entered, never = asyncio.Event(), asyncio.Event()
        handled: list[int] = []

        async def dies(event: Pinged) -> None:
            entered.set()
            await never.wait()  # the process is about to be killed

        async def survives(event: Pinged) -> None:
            handled.append(event.n)

        doomed = make_redis_bus(storage, clock, sleeps)
        doomed.subscribe(Pinged, dies, name="h")
        await publish(storage, clock, ping(1, 1), ping(1, 2))
        crash = asyncio.create_task(doomed.deliver_pending())
        await guard(entered.wait())
        crash.cancel()  # killed mid-handling: no acknowledgement, no release, no goodbye
        await asyncio.gather(crash, return_exceptions=True)
        assert await pending_entries(redis_client, doomed, "h") == 2  # it had read both

        heir = make_redis_bus(storage, clock, sleeps)
        heir.subscribe(Pinged, survives, name="h")
        await eventually(lambda: _delivered(heir, handled, 2))
        assert handled == [1, 2]  # each once, in order
        assert await pending_entries(redis_client, heir, "h") == 0
        assert await storage.dead_letter_queries.list() == []

    async def test_an_entry_that_keeps_killing_its_consumer_becomes_a_dead_letter(
        self, make_redis_bus: BusFactory, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Each delivery that ended without an acknowledgement spends an attempt; after 3, a dead letter."""
        storage = InMemoryStorage(clock)
        entered = asyncio.Event()
        ran: list[int] = []

        async def fatal(event: Pinged) -> None:
            ran.append(event.n)
            entered.set()
            await asyncio.Event().wait()

        buses = [make_redis_bus(storage, clock, sleeps) for _ in range(3)]  # three processes, in turn
        for bus in buses:
            bus.subscribe(Pinged, fatal, name="fatal")
        await publish(storage, clock, ping(1, 1))
        for bus in buses:
            entered.clear()
            crash = asyncio.create_task(_keep_consuming(bus))
            await guard(entered.wait())
            crash.cancel()
            await asyncio.gather(crash, return_exceptions=True)
        last = make_redis_bus(storage, clock, sleeps)
        last.subscribe(Pinged, fatal, name="fatal")
        await eventually(lambda: _dead_letters(storage, last))
        assert ran == [1, 1, 1]
        (letter,) = await storage.dead_letter_queries.list()
        assert letter.attempts == 3
        assert "stopped 3 times" in letter.error

    async def test_a_consumer_that_loses_its_partition_stops_its_batch_unacknowledged(
        self, make_redis_bus: BusFactory, redis_client: Redis, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A lost partition lease cancels the batch; the lost entry stays pending, the others come back."""
        storage = InMemoryStorage(clock)
        both_in, release = asyncio.Event(), asyncio.Event()
        started: list[int] = []
        cancelled: list[int] = []
        handled: list[int] = []

        async def slow(event: Pinged) -> None:
            if not release.is_set():
                started.append(event.n)
                if len(started) == 2:
                    both_in.set()
                try:
                    await asyncio.Event().wait()
                except asyncio.CancelledError:
                    cancelled.append(event.n)
                    raise
            handled.append(event.n)

        bus = make_redis_bus(storage, clock, sleeps)
        bus.subscribe(Pinged, slow, name="slow")
        assert bus.layout.partition(1) != bus.layout.partition(2)
        await publish(storage, clock, ping(1, 1), ping(2, 2))
        delivering = asyncio.create_task(bus.deliver_pending())
        await guard(both_in.wait())
        lease = bus.layout.lease("slow", bus.layout.partition(1))
        await redis_client.set(lease, "intruder", px=60_000)  # another process took user 1's partition
        release.set()  # for the deliveries after the cancelled batch
        assert await guard(delivering) == 1  # user 2's partition is still ours: its entry came back
        assert sorted(cancelled) == [1, 2]
        assert handled == [2]
        assert await pending_entries(redis_client, bus, "slow") == 1  # user 1's waits for the intruder
        assert await storage.dead_letter_queries.list() == []


async def _keep_consuming(bus: RedisEventBus) -> None:
    """Deliver until cancelled (a consumer waiting for its partitions' leases to come free)."""
    while True:
        await bus.deliver_pending()
        await asyncio.sleep(0.02)


async def _delivered(bus: RedisEventBus, handled: list[int], count: int) -> bool:
    await bus.deliver_pending()
    return len(handled) >= count


async def _dead_letters(storage: InMemoryStorage, bus: RedisEventBus) -> bool:
    await bus.deliver_pending()
    return bool(await storage.dead_letter_queries.list())


class TestDeadLettersAndReplay:
    """Three failures make a dead letter and EventProcessingFailed; the CLI's replay delivers it once."""

    async def test_three_failures_then_a_dead_letter_that_replay_delivers(
        self, make_redis_bus: BusFactory, redis_client: Redis, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """After 3 attempts the entry is acknowledged as a dead letter; replay (the CLI's) delivers it."""
        storage = InMemoryStorage(clock)
        bus = make_redis_bus(storage, clock, sleeps)
        fixed = False
        calls: list[int] = []
        failures: list[EventProcessingFailed] = []

        async def handler(event: Pinged) -> None:
            calls.append(event.n)
            if not fixed:
                raise RuntimeError("Telegram no responde")

        async def alerts(event: EventProcessingFailed) -> None:
            failures.append(event)

        bus.subscribe(Pinged, handler, name="notify")
        bus.subscribe(EventProcessingFailed, alerts, name="alerts")
        (event_id,) = await publish(storage, clock, ping(1, 4))
        await bus.deliver_pending()
        assert calls == [4, 4, 4]
        (letter,) = await storage.dead_letter_queries.list()
        assert (letter.event_id, letter.handler, letter.attempts) == (event_id, "notify", 3)
        (failed,) = failures
        assert (failed.failed_event_id, failed.dead_letter_id) == (event_id, letter.dead_letter_id)
        assert await pending_entries(redis_client, bus, "notify") == 0
        ((_, mourned),) = await redis_client.xrange(bus.layout.dead_letters)
        assert (mourned["dead_letter_id"], mourned["handler"], mourned["attempts"]) == (
            letter.dead_letter_id,
            "notify",
            "3",
        )
        assert mourned["error"] == letter.error

        fixed = True
        replayed = await bus.replay(letter.dead_letter_id)
        assert calls == [4, 4, 4, 4]
        assert replayed.replayed_at == clock.now()
        assert await storage.dead_letter_queries.list() == []


class TestTrimming:
    """Streams are trimmed below what every group still needs; unacknowledged entries stay."""

    async def test_trimming_keeps_what_any_group_has_not_acknowledged(
        self, make_redis_bus: BusFactory, redis_client: Redis, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Entries every group finished go; an entry a consumer holds unacknowledged, and later ones, stay."""
        storage = InMemoryStorage(clock)
        entered, never = asyncio.Event(), asyncio.Event()

        async def quick(event: Pinged) -> None:
            return None

        async def stuck(event: Pinged) -> None:
            if event.n == 3:
                entered.set()
                await never.wait()

        bus = make_redis_bus(storage, clock, sleeps, partitions=1)
        bus.subscribe(Pinged, quick, name="quick")
        bus.subscribe(Pinged, stuck, name="stuck")
        await publish(storage, clock, *(ping(1, n) for n in range(1, 6)))
        stream = bus.layout.stream(0)
        holding = asyncio.create_task(bus.deliver_pending())
        await guard(entered.wait())  # "stuck" finished 1 and 2 and holds 3 (3..5 read, unacknowledged)
        try:
            await eventually(lambda: _group_done(redis_client, stream, "quick"))
            entries = [entry_id for entry_id, _ in await redis_client.xrange(stream)]
            assert len(entries) == 5
            assert await bus.trim() == 2  # 1 and 2: every group is done with them
            kept = [entry_id for entry_id, _ in await redis_client.xrange(stream)]
            assert kept == entries[2:]
            assert await pending_entries(redis_client, bus, "stuck") == 3
            assert await bus.trim() == 0
        finally:
            holding.cancel()
            await asyncio.gather(holding, return_exceptions=True)
        assert min(map(stream_id, kept)) > max(map(stream_id, entries[:2]))


async def _group_done(client: Redis, stream: str, group: str) -> bool:
    groups: Any = await client.xinfo_groups(stream)
    (info,) = [g for g in groups if g["name"] == group]
    return int(info["pending"]) == 0 and int(info["lag"] or 0) == 0


class TestDeclaredGroups:
    """Handlers run elsewhere keep their entries; the backlog counts them; stale ones are skipped."""

    async def test_the_backlog_counts_each_handlers_own_entries(
        self, make_redis_bus: BusFactory, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Unpublished events count for the publisher; published ones for each handler of their route only."""
        storage = InMemoryStorage(clock)
        bus = make_redis_bus(storage, clock, sleeps)

        async def handler(event: Pinged) -> None:
            return None

        bus.subscribe(Pinged, handler, name="here")
        bus.declare(Pinged, name="pings-elsewhere", why="otro proceso")
        bus.declare(Ponged, name="pongs-elsewhere", why="otro proceso")
        await publish(storage, clock, ping(1, 1), ping(2, 2), pong(3))
        assert await bus.backlog() == {PUBLISHER: 3}
        assert await bus.deliver_pending() == 2
        assert await bus.backlog() == {"pings-elsewhere": 2, "pongs-elsewhere": 1}

    async def test_stale_entries_of_a_handler_nobody_runs_are_skipped_and_trimmed(
        self, make_redis_bus: BusFactory, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A declared handler with max_age stops holding old entries back: its group moves past them."""
        storage = InMemoryStorage(clock)
        bus = make_redis_bus(storage, clock, sleeps, partitions=1)

        async def handler(event: Pinged) -> None:
            return None

        bus.subscribe(Pinged, handler, name="here")
        bus.declare(Pinged, name="notices", why="otro proceso", max_age=timedelta(milliseconds=50))
        await publish(storage, clock, ping(1, 1), ping(1, 2))
        assert await bus.deliver_pending() == 2
        assert await bus.trim() == 0  # "notices" has read nothing yet

        async def skipped() -> bool:
            await bus.skip_stale()  # stream ids are the server's milliseconds: retried until they are old
            return "notices" not in await bus.backlog()

        await eventually(skipped)
        assert await bus.trim() == 2


class TestStartup:
    """Choosing Redis when it does not answer stops start-up with a Spanish explanation."""

    async def test_an_unreachable_redis_is_refused_in_spanish(self, clock: FakeClock, sleeps: Sleeps) -> None:
        """Starting on a port where nothing listens raises RedisUnreachableError (UnavailableError)."""
        storage = InMemoryStorage(clock)
        bus = RedisEventBus.from_url(
            "redis://127.0.0.1:1/0", storage, clock=clock, ids=SequentialIds("x"), sleep=sleeps
        )
        with pytest.raises(RedisUnreachableError, match="No se puede conectar con Redis") as refused:
            await bus.start()
        assert isinstance(refused.value, UnavailableError)
        assert "YABOT_REDIS_URL" in refused.value.message
        await bus.stop()

    async def test_events_are_owed_to_the_publisher_only_when_a_handler_wants_them(
        self, redis_client: Redis, redis_prefix: str, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Storage owes an event to the publisher if any handler is declared for its route, else to nobody."""
        storage = InMemoryStorage(clock)
        bus = redis_bus(redis_client, redis_prefix, storage, clock, sleeps)
        bus.declare(Pinged, name="elsewhere", why="otro proceso")
        stamp: dict[str, Any] = {"event_id": "e", "occurred_at": clock.now(), "correlation_id": "c"}
        assert bus.routes_for(Pinged(**stamp, user_id=1, n=1)) == (PUBLISHER,)
        assert bus.routes_for(Ponged(**stamp, n=1)) == ()
