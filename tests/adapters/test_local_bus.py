"""The local event bus: a relay per handler over the outbox; retries, dead letters, replay, leases, expiry."""

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.contracts.event_bus import (
    HANG_GUARD,
    NO_BOT,
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
from yabot_adapters.bus import LocalEventBus
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.memory.bus import BusState
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import StorageBackend
from yabot_adapters.system import SystemClock
from yabot_core.kernel import (
    Clock,
    CorrelationId,
    DeadLetterAlreadyReplayedError,
    DeadLetterReplayInProgressError,
    Event,
    EventId,
    EventProcessingFailed,
    FakeClock,
    OutboxRecord,
    OutboxStore,
    ReplayFailedError,
    SequentialIds,
    UnavailableError,
    UserId,
    parse_event,
)


class WatchedOutbox(OutboxStore):
    """The real outbox, delegated to in full, that counts acknowledgements and can hold them or fail reads."""

    def __init__(self, outbox: OutboxStore) -> None:
        self._outbox = outbox
        self.acknowledged: list[tuple[str, tuple[EventId, ...]]] = []
        self.gate: asyncio.Event | None = None
        """While set to an unset ``asyncio.Event``, each acknowledgement waits for it before writing."""
        self.waiting = asyncio.Event()
        """Set once an acknowledgement waits at the gate."""
        self.reads_fail = False
        """While true, ``pending`` fails as an unreachable storage would."""

    def writes_for(self, handler: str) -> list[tuple[EventId, ...]]:
        """The acknowledgements written for ``handler``, one entry per ``acknowledge`` call."""
        return [ids for name, ids in self.acknowledged if name == handler]

    async def pending(self, handler: str, limit: int) -> Sequence[OutboxRecord]:
        if self.reads_fail:
            raise UnavailableError
        return await self._outbox.pending(handler, limit)

    async def acknowledge(self, handler: str, event_ids: Sequence[EventId]) -> None:
        if self.gate is not None:
            self.waiting.set()
            await self.gate.wait()
        self.acknowledged.append((handler, tuple(event_ids)))
        await self._outbox.acknowledge(handler, event_ids)

    async def expire(self, handler: str, before: datetime) -> int:
        return await self._outbox.expire(handler, before)

    async def backlog(self) -> Mapping[str, int]:
        return await self._outbox.backlog()

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        return await self._outbox.acquire_lease(name, owner, now, until)

    async def release_lease(self, name: str, owner: str) -> None:
        await self._outbox.release_lease(name, owner)


class WithOutbox:
    """A storage backend seen through another outbox (a :class:`WatchedOutbox`); the rest is the real one."""

    def __init__(self, storage: InMemoryStorage, outbox: OutboxStore) -> None:
        self._storage = storage
        self.outbox = outbox

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)


@pytest.fixture(name="sleeps")
def sleeps_fixture() -> Sleeps:
    return Sleeps()


_bus_numbers = itertools.count()


def make_bus(
    storage: StorageBackend | WithOutbox, clock: Clock, sleeps: Sleeps, **options: Any
) -> LocalEventBus:
    """A bus as one process would have it: its own lease owner; retry pauses only recorded in ``sleeps``."""
    return LocalEventBus(
        storage,  # a WithOutbox serves the whole backend, through __getattr__
        clock=clock,
        ids=SequentialIds(f"bus{next(_bus_numbers)}"),
        sleep=sleeps,
        **options,
    )


class TestLocalBusContract(EventBusContract):
    """The local bus keeps the event bus contract."""

    @pytest.fixture(name="make_bus")
    def make_bus_fixture(self) -> BusFactory:
        return make_bus


async def owed(storage: StorageBackend, handler: str) -> list[EventId]:
    """The ids of what ``handler`` is owed, oldest first."""
    return [record.event_id for record in await storage.outbox.pending(handler, 1000)]


def rewrite_as_unknown(storage: InMemoryStorage, event_id: EventId, event_type: str) -> None:
    """Make a committed record look written by a newer release, with an ``event_type`` this code lacks."""
    state = storage.states["dead_letters"]
    assert isinstance(state, BusState)
    record = state.records[event_id]
    state.records[event_id] = record.model_copy(
        update={"event_type": event_type, "payload": record.payload.replace(record.event_type, event_type)}
    )


class TestDelivery:
    """Each handler gets the events of its route, each user's in commit order, in the event's scope."""

    async def test_an_event_owed_to_nobody_is_not_kept(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """An event no declared handler is owed is not stored at all."""
        bus = make_bus(storage, clock, sleeps)

        async def on_ping(event: Pinged) -> None:
            return None

        bus.subscribe(Pinged, on_ping, name="ping")
        await publish(storage, clock, pong(1))
        state = storage.states["dead_letters"]
        assert isinstance(state, BusState)
        assert state.records == {}
        assert await storage.outbox.backlog() == {}
        assert await bus.deliver_pending() == 0


class TestUnparsableRecords:
    """A record this code cannot parse is dead-lettered for each handler owed it; replay parses again."""

    async def test_an_unparsable_record_is_dead_lettered_for_each_handler_owed_it(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A record no code can parse becomes a dead letter for every handler owed it, none of them run."""
        bus = make_bus(storage, clock, sleeps)
        ran: list[str] = []
        failures: list[EventProcessingFailed] = []

        async def first(event: Pinged) -> None:
            ran.append("first")

        async def second(event: Pinged) -> None:
            ran.append("second")

        async def on_failure(event: EventProcessingFailed) -> None:
            failures.append(event)

        bus.subscribe(Pinged, first, name="first")
        bus.subscribe(Pinged, second, name="second")
        bus.subscribe(EventProcessingFailed, on_failure, name="alerts")
        (event_id,) = await publish(storage, clock, ping(1, 1))
        rewrite_as_unknown(storage, event_id, "tests.bus.gone_away")
        await bus.deliver_pending()

        assert ran == []
        letters = await storage.dead_letter_queries.list()
        assert sorted((letter.handler, letter.event_id, letter.event_type) for letter in letters) == [
            ("first", event_id, "tests.bus.gone_away"),
            ("second", event_id, "tests.bus.gone_away"),
        ]
        assert all("unknown event type 'tests.bus.gone_away'" in letter.error for letter in letters)
        assert sorted((failure.handler, failure.failed_event_id) for failure in failures) == [
            ("first", event_id),
            ("second", event_id),
        ]
        assert await storage.outbox.backlog() == {}

    async def test_an_event_unknown_when_it_failed_is_delivered_once_its_code_exists(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Replaying parses the record again: once its type's code is deployed, replay delivers it."""
        old = make_bus(storage, clock, sleeps)

        async def audit_pings(event: Pinged) -> None:
            return None

        old.subscribe(Pinged, audit_pings, name="audit")
        (event_id,) = await publish(storage, clock, ping(1, 7))
        rewrite_as_unknown(storage, event_id, "tests.bus.arrived_later")
        await old.deliver_pending()
        (letter,) = await storage.dead_letter_queries.list()
        assert (letter.handler, letter.event_type) == ("audit", "tests.bus.arrived_later")
        with pytest.raises(ReplayFailedError, match="arrived_later"):
            await old.replay(letter.dead_letter_id)  # still no code for it here

        class ArrivedLater(Event):
            event_type: ClassVar[str] = "tests.bus.arrived_later"

            user_id: UserId
            n: int

        got: list[int] = []

        async def audit_arrivals(event: ArrivedLater) -> None:
            got.append(event.n)

        new = make_bus(storage, clock, sleeps)
        new.subscribe(ArrivedLater, audit_arrivals, name="audit")
        replayed = await new.replay(letter.dead_letter_id)
        assert got == [7]
        assert replayed.replayed_at == clock.now()
        assert await storage.dead_letter_queries.list() == []


class TestReplay:
    """Replay delivers a dead letter again, once, to a handler this process runs."""

    async def test_two_processes_replaying_at_once_deliver_once(
        self, tmp_path: Path, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Two replays of one dead letter started together (two processes, one SQLite file) deliver once."""
        path = tmp_path / "replay.sqlite3"
        async with contextlib.AsyncExitStack() as stack:
            processes = [SqliteStorage(path, clock), SqliteStorage(path, clock)]
            for process in processes:
                await process.open()
                stack.push_async_callback(process.close)
            fixed = False
            entered, release = asyncio.Event(), asyncio.Event()
            delivered: list[int] = []

            async def slow_handler(event: Pinged) -> None:
                if not fixed:
                    raise RuntimeError("aún roto")
                entered.set()
                await release.wait()  # a slow Telegram: the other replay starts meanwhile
                delivered.append(event.n)

            buses = [make_bus(process, clock, sleeps) for process in processes]
            for bus in buses:
                bus.subscribe(Pinged, slow_handler, name="slow")
            await publish(processes[0], clock, ping(1, 7))
            await buses[0].deliver_pending()
            (letter,) = await processes[1].dead_letter_queries.list()

            fixed = True
            replays = [asyncio.create_task(bus.replay(letter.dead_letter_id)) for bus in buses]
            try:
                done, _ = await asyncio.wait(replays, timeout=HANG_GUARD, return_when=asyncio.FIRST_COMPLETED)
                (refused,) = done  # the winner is still inside the handler
                with pytest.raises(DeadLetterReplayInProgressError, match="ya se está reenviando"):
                    refused.result()
                assert entered.is_set()
            finally:
                release.set()
                await guard(asyncio.gather(*replays, return_exceptions=True))
            (winner,) = [replay for replay in replays if replay is not refused]
            assert winner.result().replayed_at == clock.now()
            assert delivered == [7]
            for bus in buses:
                with pytest.raises(DeadLetterAlreadyReplayedError):
                    await bus.replay(letter.dead_letter_id)
            assert delivered == [7]


class TestCrashesAndLeases:
    """One bus at a time delivers a given handler (its lease); a crash leaves unfinished work owed."""

    async def test_a_crash_mid_delivery_redelivers_only_to_unfinished_handlers(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """If the process dies after one handler finished, the next relay skips it and runs the rest."""
        first = make_bus(storage, clock, sleeps, lease_ttl=10)
        fast_calls: list[int] = []
        slow_started = asyncio.Event()

        async def fast(event: Pinged) -> None:
            fast_calls.append(event.n)

        async def hangs(event: Pinged) -> None:
            slow_started.set()
            await asyncio.Event().wait()

        first.subscribe(Pinged, fast, name="fast")
        first.subscribe(Pinged, hangs, name="slow")
        await publish(storage, clock, ping(1, 1))
        delivery = asyncio.create_task(first.deliver_pending())
        await guard(slow_started.wait())

        async def fast_is_done() -> bool:
            return await owed(storage, "fast") == []

        await eventually(fast_is_done)
        delivery.cancel()  # the process dies here: fast is done, slow never finished
        with pytest.raises(asyncio.CancelledError):
            await delivery

        restarted = make_bus(storage, clock, sleeps, lease_ttl=10)
        slow_calls: list[int] = []

        async def slow_fixed(event: Pinged) -> None:
            slow_calls.append(event.n)

        restarted.subscribe(Pinged, fast, name="fast")
        restarted.subscribe(Pinged, slow_fixed, name="slow")
        assert await restarted.deliver_pending() == 0, "the dead relay's lease still holds"
        clock.advance(timedelta(seconds=11))
        assert await restarted.deliver_pending() == 1
        assert (fast_calls, slow_calls) == ([1], [1])
        assert await storage.outbox.backlog() == {}

    async def test_only_one_bus_delivers_a_handler_until_it_stops(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Two buses running one handler never both deliver it; the other takes over at once after stop."""
        a, b = make_bus(storage, clock, sleeps), make_bus(storage, clock, sleeps)
        got: list[str] = []

        async def on_a(event: Pinged) -> None:
            got.append("a")

        async def on_b(event: Pinged) -> None:
            got.append("b")

        a.subscribe(Pinged, on_a, name="h")
        b.subscribe(Pinged, on_b, name="h")
        await publish(storage, clock, ping(1, 1))
        assert await a.deliver_pending() == 1
        await publish(storage, clock, ping(1, 2))
        assert await b.deliver_pending() == 0
        await a.stop()
        assert await b.deliver_pending() == 1
        assert got == ["a", "b"]

    async def test_each_handler_has_its_own_lease(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """While one bus holds a handler mid-batch, another bus delivers the other handlers, not that one."""
        x, y = make_bus(storage, clock, sleeps), make_bus(storage, clock, sleeps)
        calls: list[tuple[str, str]] = []
        entered, release = asyncio.Event(), asyncio.Event()

        async def a_in_x(event: Pinged) -> None:
            calls.append(("x", "a"))
            entered.set()
            await release.wait()

        async def a_in_y(event: Pinged) -> None:
            calls.append(("y", "a"))

        async def b_in_y(event: Pinged) -> None:
            calls.append(("y", "b"))

        x.subscribe(Pinged, a_in_x, name="a")
        x.declare(Pinged, name="b", why=NO_BOT)
        y.subscribe(Pinged, a_in_y, name="a")
        y.subscribe(Pinged, b_in_y, name="b")
        await publish(storage, clock, ping(1, 1))
        holding = asyncio.create_task(x.deliver_pending())
        try:
            await guard(entered.wait())
            assert await y.deliver_pending() == 1  # b: x holds a's lease, not b's
        finally:
            release.set()
            assert await guard(holding) == 1
        assert await y.deliver_pending() == 0
        assert calls == [("x", "a"), ("y", "b")]
        assert await storage.outbox.backlog() == {}

    async def test_buses_running_different_handlers_deliver_at_the_same_time(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A bus running only handler a and another running only b both make progress at once."""
        x, y = make_bus(storage, clock, sleeps), make_bus(storage, clock, sleeps)
        a_entered, b_entered = asyncio.Event(), asyncio.Event()
        seen: list[tuple[str, int]] = []

        async def on_a(event: Pinged) -> None:
            a_entered.set()
            await b_entered.wait()  # returns only if b is being delivered meanwhile
            seen.append(("a", event.n))

        async def on_b(event: Pinged) -> None:
            b_entered.set()
            await a_entered.wait()
            seen.append(("b", event.n))

        x.subscribe(Pinged, on_a, name="a")
        x.declare(Pinged, name="b", why=NO_BOT)
        y.declare(Pinged, name="a", why=NO_BOT)
        y.subscribe(Pinged, on_b, name="b")
        await publish(storage, clock, ping(1, 1), ping(1, 2), ping(2, 3))
        delivered = await guard(asyncio.gather(x.deliver_pending(), y.deliver_pending()))
        assert list(delivered) == [3, 3]
        assert sorted(seen) == [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("b", 3)]
        assert await storage.outbox.backlog() == {}

    async def test_a_long_batch_keeps_its_lease_so_no_one_delivers_twice(
        self, storage: InMemoryStorage
    ) -> None:
        """While a slow handler outlives the lease's length, the holder renews it; a rival gets nothing."""
        clock = SystemClock()
        holder = make_bus(storage, clock, Sleeps(), lease_ttl=0.6)
        rival = make_bus(storage, clock, Sleeps(), lease_ttl=0.6)
        release, started = asyncio.Event(), asyncio.Event()
        calls: list[tuple[str, int]] = []

        async def slow(event: Pinged) -> None:
            calls.append(("holder", event.n))
            started.set()
            await release.wait()

        async def eager(event: Pinged) -> None:
            calls.append(("rival", event.n))

        holder.subscribe(Pinged, slow, name="h")
        rival.subscribe(Pinged, eager, name="h")
        await publish(storage, clock, ping(1, 1))
        delivery = asyncio.create_task(holder.deliver_pending())
        try:
            await guard(started.wait())
            for _ in range(15):  # 1.5 s: two and a half lease lengths
                assert await rival.deliver_pending() == 0
                await asyncio.sleep(0.1)
        finally:
            release.set()
            assert await guard(delivery) == 1
        assert calls == [("holder", 1)]

    async def test_a_relay_that_loses_its_lease_stops_its_batch(self, storage: InMemoryStorage) -> None:
        """If renewing fails (another process took the handler's lease), the batch stops; the event stays."""
        clock = SystemClock()
        bus = make_bus(storage, clock, Sleeps(), lease_ttl=0.3)
        started = asyncio.Event()

        async def slow(event: Pinged) -> None:
            started.set()
            await asyncio.Event().wait()

        bus.subscribe(Pinged, slow, name="slow")
        (event_id,) = await publish(storage, clock, ping(1, 1))
        delivery = asyncio.create_task(bus.deliver_pending())
        await guard(started.wait())
        state = storage.states["dead_letters"]
        assert isinstance(state, BusState)
        far = clock.now() + timedelta(hours=1)
        state.leases["relay:slow"] = ("another-process", far.timestamp())
        assert await guard(delivery) == 0
        assert await owed(storage, "slow") == [event_id]
        assert await storage.dead_letter_queries.list() == []


class TestAcknowledgements:
    """Events are acknowledged in batches, and only once finished: a crash redelivers, never loses."""

    async def test_acknowledgements_are_written_a_batch_at_a_time(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A fast handler's 100 events cost one acknowledgement write per batch, not one per event."""
        outbox = WatchedOutbox(storage.outbox)
        bus = make_bus(WithOutbox(storage, outbox), clock, sleeps, batch_size=25, ack_interval=HANG_GUARD)

        async def fast(event: Pinged) -> None:
            return None

        bus.subscribe(Pinged, fast, name="fast")
        ids = [event_id for n in range(100) for event_id in await publish(storage, clock, ping(n % 10, n))]
        assert await bus.deliver_pending() == 100
        writes = outbox.writes_for("fast")
        assert len(writes) <= 100 // 25
        assert sorted(event_id for write in writes for event_id in write) == sorted(ids)
        assert await storage.outbox.backlog() == {}

    async def test_finished_events_are_acknowledged_while_their_batch_still_runs(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Acknowledgements are flushed every ``ack_interval``, not only when the whole batch is done."""
        bus = make_bus(storage, clock, sleeps, ack_interval=0.01)
        entered, release = asyncio.Event(), asyncio.Event()

        async def handler(event: Pinged) -> None:
            if event.user_id == 1:
                entered.set()
                await release.wait()

        bus.subscribe(Pinged, handler, name="h")
        stuck, *_ = await publish(storage, clock, ping(1, 1), ping(2, 2), ping(3, 3))
        delivery = asyncio.create_task(bus.deliver_pending())
        try:
            await guard(entered.wait())

            async def only_the_stuck_one_is_owed() -> bool:
                return await owed(storage, "h") == [stuck]

            await eventually(only_the_stuck_one_is_owed)
        finally:
            release.set()
            assert await guard(delivery) == 3
        assert await storage.outbox.backlog() == {}

    async def test_a_crash_before_acknowledgements_are_written_only_redelivers(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A crash between handling events and acknowledging them redelivers them; none is lost."""
        outbox = WatchedOutbox(storage.outbox)
        first = make_bus(WithOutbox(storage, outbox), clock, sleeps, ack_interval=HANG_GUARD, lease_ttl=10)
        seen: list[int] = []

        async def handler(event: Pinged) -> None:
            seen.append(event.n)

        first.subscribe(Pinged, handler, name="h")
        ids = await publish(storage, clock, *(ping(1, n) for n in range(5)))
        outbox.gate = asyncio.Event()
        delivery = asyncio.create_task(first.deliver_pending())
        await guard(outbox.waiting.wait())  # every event handled; their acknowledgement is being written
        delivery.cancel()  # the process dies here
        with pytest.raises(asyncio.CancelledError):
            await delivery
        assert seen == [0, 1, 2, 3, 4]
        assert await owed(storage, "h") == ids

        clock.advance(timedelta(seconds=11))  # the dead process's lease runs out
        restarted = make_bus(storage, clock, sleeps)
        restarted.subscribe(Pinged, handler, name="h")
        assert await restarted.deliver_pending() == 5
        assert seen == [0, 1, 2, 3, 4] * 2
        assert await storage.outbox.backlog() == {}

    async def test_a_crash_mid_batch_leaves_the_unfinished_events_owed(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Only finished events are acknowledged: those a crash interrupted are delivered after restart."""
        first = make_bus(storage, clock, sleeps, ack_interval=HANG_GUARD, lease_ttl=10)
        seen: list[int] = []
        entered = asyncio.Event()

        async def hangs_on_the_last(event: Pinged) -> None:
            if event.n == 4:
                entered.set()
                await asyncio.Event().wait()
            seen.append(event.n)

        first.subscribe(Pinged, hangs_on_the_last, name="h")
        ids = await publish(storage, clock, *(ping(1, n) for n in range(5)))
        delivery = asyncio.create_task(first.deliver_pending())
        await guard(entered.wait())
        delivery.cancel()  # the process dies while the last event is being handled
        with pytest.raises(asyncio.CancelledError):
            await delivery
        assert seen == [0, 1, 2, 3]
        left = await owed(storage, "h")
        assert ids[4] in left
        assert set(left) <= set(ids)

        clock.advance(timedelta(seconds=11))
        restarted = make_bus(storage, clock, sleeps)
        again: list[int] = []

        async def handler(event: Pinged) -> None:
            again.append(event.n)

        restarted.subscribe(Pinged, handler, name="h")
        assert await restarted.deliver_pending() == len(left)
        assert again[-1] == 4
        assert set(seen) | set(again) == {0, 1, 2, 3, 4}
        assert await storage.outbox.backlog() == {}


class TestMaxAge:
    """Events worthless once old are dropped for a handler with ``max_age``, whoever runs it."""

    async def test_stale_events_of_a_handler_only_declared_here_expire_here(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Events owed to a declared handler with max_age are dropped once stale, though it runs elsewhere."""
        bus = make_bus(storage, clock, sleeps)

        async def on_local(event: Pinged) -> None:
            return None

        bus.subscribe(Pinged, on_local, name="local")
        bus.declare(Pinged, name="telegram.notify", why=NO_BOT, max_age=timedelta(hours=1))
        await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 1
        assert await storage.outbox.backlog() == {"telegram.notify": 1}

        clock.advance(timedelta(hours=2))
        fresh = await publish(storage, clock, ping(1, 2))
        await bus.deliver_pending()
        assert await owed(storage, "telegram.notify") == fresh
        assert await storage.outbox.backlog() == {"telegram.notify": 1}


class TestBackgroundRelay:
    """Started, the bus relays in the background: woken by local commits, drained and released on stop."""

    async def test_stop_gives_the_leases_up_even_when_the_drain_fails(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """When storage fails under the final drain, stop still releases the leases for a successor."""
        outbox = WatchedOutbox(storage.outbox)
        bus = make_bus(WithOutbox(storage, outbox), clock, sleeps)
        got: list[tuple[str, int]] = []

        async def here(event: Pinged) -> None:
            got.append(("here", event.n))

        async def successor_handler(event: Pinged) -> None:
            got.append(("successor", event.n))

        bus.subscribe(Pinged, here, name="h")
        await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 1  # it holds the lease of h now
        await publish(storage, clock, ping(1, 2))
        outbox.reads_fail = True
        await bus.start()
        await bus.stop(drain_timeout=HANG_GUARD)
        assert not bus.running

        successor = make_bus(storage, clock, sleeps)  # the clock stands still: the lease did not expire
        successor.subscribe(Pinged, successor_handler, name="h")
        assert await successor.deliver_pending() == 1
        assert got == [("here", 1), ("successor", 2)]

    async def test_stop_returns_when_the_storage_is_gone(
        self, tmp_path: Path, clock: FakeClock, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A relay whose SQLite storage closed under it stops without raising, and logs the lost lease."""
        storage = SqliteStorage(tmp_path / "bus.sqlite3", clock)
        await storage.open()
        bus = make_bus(storage, clock, sleeps)
        try:

            async def handler(event: Pinged) -> None:
                return None

            bus.subscribe(Pinged, handler, name="h")
            await publish(storage, clock, ping(1, 1))
            assert await bus.deliver_pending() == 1
            await bus.start()
        finally:
            await storage.close()  # the storage fails under the running relay
            with caplog.at_level(logging.WARNING):
                await bus.stop(drain_timeout=HANG_GUARD)
        assert not bus.running
        assert "could not release a relay lease" in caplog.text


def test_parse_event_knows_the_test_events() -> None:
    """The test events are registered like any other (sanity check for the suite itself)."""
    raw = Ponged(event_id=EventId("e"), occurred_at=FakeClock().now(), correlation_id=CorrelationId("c"), n=1)
    assert parse_event(raw.to_json()) == raw
