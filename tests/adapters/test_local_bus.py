"""The local event bus: at-least-once delivery from the outbox, retries, dead letters, replay, ordering."""

import asyncio
import itertools
import logging
import random
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.memory import InMemoryStorage, InMemoryUnitOfWork
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.system import SystemClock
from yabot_core.kernel import (
    CorrelationId,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterReplayInProgressError,
    Event,
    EventId,
    EventProcessingFailed,
    EventStamper,
    FakeClock,
    OutboxRecord,
    ReplayFailedError,
    RetryPolicy,
    SequentialIds,
    UnknownHandlerError,
    UserId,
    correlation_scope,
    current_scope,
    parse_event,
)


class Pinged(Event):
    event_type: ClassVar[str] = "tests.bus.pinged"

    user_id: UserId
    n: int


class Ponged(Event):
    event_type: ClassVar[str] = "tests.bus.ponged"

    n: int


class Sleeps:
    """A sleep that records what it was asked and returns at once (retries stay fast and observable)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


@pytest.fixture(name="sleeps")
def sleeps_fixture() -> Sleeps:
    return Sleeps()


def make_bus(storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, **kwargs: object) -> LocalEventBus:
    return LocalEventBus(
        outbox=storage.outbox,
        transactions=storage.transactions,
        dead_letters=storage.dead_letter_queries,
        clock=clock,
        ids=SequentialIds(f"bus{next(_bus_numbers)}"),
        sleep=sleeps,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(name="bus")
def bus_fixture(storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps) -> LocalEventBus:
    return make_bus(storage, clock, sleeps)


_event_ids = SequentialIds("ev")
_bus_numbers = itertools.count()


async def publish(
    storage: InMemoryStorage, clock: FakeClock, *events: tuple[type[Event], dict[str, object]]
) -> None:
    """Commit events through a unit of work, as the core does."""
    stamper = EventStamper(clock, _event_ids)

    async def work(uow: InMemoryUnitOfWork) -> None:
        for event_type, fields in events:
            uow.record(event_type.model_validate({**stamper.stamp(), **fields}))

    await storage.transactions.run(work)


def ping(user: int, n: int) -> tuple[type[Event], dict[str, object]]:
    return Pinged, {"user_id": user, "n": n}


class TestDelivery:
    async def test_subscribers_get_events_of_their_type(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Each handler receives exactly the events of the type it subscribed to; the outbox empties."""
        pings: list[int] = []
        pongs: list[int] = []

        async def on_ping(event: Pinged) -> None:
            pings.append(event.n)

        async def on_pong(event: Ponged) -> None:
            pongs.append(event.n)

        bus.subscribe(Pinged, on_ping, name="ping")
        bus.subscribe(Ponged, on_pong, name="pong")
        await publish(storage, clock, ping(1, 1), (Ponged, {"n": 2}), ping(1, 3))
        assert await bus.deliver_pending() == 3
        assert (pings, pongs) == ([1, 3], [2])
        assert await storage.outbox.pending(10) == []

    async def test_events_nobody_listens_to_are_cleared(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """An event without subscribers is simply marked delivered."""
        await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 1
        assert await storage.outbox.pending(10) == []

    def test_handler_names_are_unique(self, bus: LocalEventBus) -> None:
        """Two handlers cannot share a durable name."""

        async def handler(event: Pinged) -> None:
            return None

        bus.subscribe(Pinged, handler, name="same")
        with pytest.raises(ValueError, match="already subscribed"):
            bus.subscribe(Ponged, handler, name="same")  # type: ignore[arg-type]

    async def test_one_users_events_arrive_in_commit_order(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """However slow handling is, each user's events reach the handler in the order they were committed."""
        bus = make_bus(storage, clock, sleeps, batch_size=50, concurrency=8)
        seen: dict[int, list[int]] = {}
        rng = random.Random(7)

        async def on_ping(event: Pinged) -> None:
            await asyncio.sleep(rng.random() / 1000)
            seen.setdefault(event.user_id, []).append(event.n)

        bus.subscribe(Pinged, on_ping, name="ping")
        for n in range(120):
            await publish(storage, clock, ping(n % 6, n))
        await bus.deliver_pending()
        assert sorted(seen) == list(range(6))
        for user, ns in seen.items():
            assert ns == [n for n in range(120) if n % 6 == user]

    async def test_handlers_run_in_the_events_correlation_scope(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A handler sees the event's correlation id and the event as cause; its own events inherit them."""
        scopes: list[tuple[str, str | None]] = []

        handled_ids: list[str] = []

        async def on_ping(event: Pinged) -> None:
            scope = current_scope()
            assert scope is not None
            scopes.append((scope.correlation_id, scope.causation_id))
            handled_ids.append(event.event_id)
            await publish(storage, clock, (Ponged, {"n": event.n}))

        bus.subscribe(Pinged, on_ping, name="ping")
        with correlation_scope(CorrelationId("tg-99")):
            await publish(storage, clock, ping(1, 1))
        (record,) = await storage.outbox.pending(10)
        await bus.deliver_pending()
        assert scopes == [("tg-99", record.event_id)]
        # the Ponged event was delivered too (no subscriber), so look at what the handler published via a spy
        bus2_seen: list[Event] = []

        async def on_pong(event: Ponged) -> None:
            bus2_seen.append(event)

        bus.subscribe(Ponged, on_pong, name="pong")
        with correlation_scope(CorrelationId("tg-100")):
            await publish(storage, clock, ping(1, 2))
        await bus.deliver_pending()
        (pong,) = bus2_seen
        assert pong.correlation_id == "tg-100"
        assert pong.causation_id == handled_ids[-1]


class TestRetriesAndDeadLetters:
    async def test_a_failing_handler_is_tried_three_times_then_dead_lettered(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Exactly 3 attempts with growing pauses, then a dead letter and EventProcessingFailed."""
        calls: list[int] = []
        failures: list[EventProcessingFailed] = []

        async def broken(event: Pinged) -> None:
            calls.append(event.n)
            raise RuntimeError("sin conexión")

        async def on_failure(event: EventProcessingFailed) -> None:
            failures.append(event)

        bus.subscribe(Pinged, broken, name="broken")
        bus.subscribe(EventProcessingFailed, on_failure, name="alerts")
        with correlation_scope(CorrelationId("tg-7")):
            await publish(storage, clock, ping(1, 1))
        (record,) = await storage.outbox.pending(10)
        await bus.deliver_pending()

        assert calls == [1, 1, 1]
        assert sleeps.asked == RetryPolicy().delays()
        assert sleeps.asked[0] < sleeps.asked[1]
        (letter,) = await storage.dead_letter_queries.list()
        assert (letter.event_id, letter.handler, letter.attempts) == (record.event_id, "broken", 3)
        assert letter.error == "RuntimeError: sin conexión"
        (failed,) = failures
        assert (failed.failed_event_id, failed.handler, failed.dead_letter_id) == (
            record.event_id,
            "broken",
            letter.dead_letter_id,
        )
        assert "sin conexión" in failed.error
        assert (failed.correlation_id, failed.causation_id, failed.user_id) == ("tg-7", record.event_id, 1)
        assert await storage.outbox.pending(10) == []

    async def test_a_handler_that_recovers_is_not_dead_lettered(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A handler that fails once and then succeeds is delivered, with one pause."""
        calls: list[int] = []

        async def flaky(event: Pinged) -> None:
            calls.append(event.n)
            if len(calls) == 1:
                raise RuntimeError("transitorio")

        bus.subscribe(Pinged, flaky, name="flaky")
        await publish(storage, clock, ping(1, 1))
        await bus.deliver_pending()
        assert calls == [1, 1]
        assert len(sleeps.asked) == 1
        assert await storage.dead_letter_queries.list() == []

    async def test_a_failing_handler_does_not_stop_the_others(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """Other handlers of the same event still get it, and later events still flow."""
        good: list[int] = []

        async def broken(event: Pinged) -> None:
            raise ValueError(event.n)

        async def fine(event: Pinged) -> None:
            good.append(event.n)

        bus.subscribe(Pinged, broken, name="broken")
        bus.subscribe(Pinged, fine, name="fine")
        await publish(storage, clock, ping(1, 1), ping(1, 2))
        await bus.deliver_pending()
        assert good == [1, 2]
        assert len(await storage.dead_letter_queries.list()) == 2

    async def test_a_failed_announcement_is_not_announced_again(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """When a handler of EventProcessingFailed fails, it is dead-lettered without a new announcement."""

        async def broken(event: Event) -> None:
            raise RuntimeError("roto")

        bus.subscribe(Pinged, broken, name="broken")
        bus.subscribe(EventProcessingFailed, broken, name="broken-alerts")
        await publish(storage, clock, ping(1, 1))
        await bus.deliver_pending()
        letters = await storage.dead_letter_queries.list()
        assert sorted(letter.handler for letter in letters) == ["broken", "broken-alerts"]
        assert await storage.outbox.pending(10) == []

    async def test_an_unparsable_record_is_dead_lettered(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A record whose type no code knows any more becomes a dead letter instead of blocking the outbox."""
        storage.state.outbox[EventId("ghost")] = OutboxRecord(
            event_id=EventId("ghost"),
            event_type="gone.away",
            payload='{"type": "gone.away"}',
            user_id=None,
            position=1,
            created_at=clock.now(),
        )
        await bus.deliver_pending()
        (letter,) = await storage.dead_letter_queries.list()
        assert (letter.event_id, letter.handler) == ("ghost", "<unparsable>")
        assert await storage.outbox.pending(10) == []


class TestReplay:
    async def test_replay_delivers_once_after_the_fix(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """After the handler is fixed, replay delivers the dead letter once and marks it replayed."""
        fixed = False
        delivered: list[int] = []

        async def handler(event: Pinged) -> None:
            if not fixed:
                raise RuntimeError("aún roto")
            delivered.append(event.n)

        bus.subscribe(Pinged, handler, name="h")
        await publish(storage, clock, ping(1, 5))
        await bus.deliver_pending()
        (letter,) = await storage.dead_letter_queries.list()

        with pytest.raises(ReplayFailedError, match="aún roto"):
            await bus.replay(letter.dead_letter_id)
        (still,) = await storage.dead_letter_queries.list()
        assert still.attempts == 6

        fixed = True
        replayed = await bus.replay(letter.dead_letter_id)
        assert delivered == [5]
        assert replayed.replayed_at == clock.now()
        assert await storage.dead_letter_queries.list() == []
        with pytest.raises(DeadLetterAlreadyReplayedError):
            await bus.replay(letter.dead_letter_id)
        assert delivered == [5]

    async def test_replay_of_unknown_things_is_refused(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Replaying a missing dead letter, or one whose handler is gone, says so in Spanish."""
        with pytest.raises(DeadLetterNotFoundError, match=r"ningún"):
            await bus.replay("nope")

        async def broken(event: Pinged) -> None:
            raise RuntimeError

        bus.subscribe(Pinged, broken, name="old-handler")
        await publish(storage, clock, ping(1, 1))
        await bus.deliver_pending()
        (letter,) = await storage.dead_letter_queries.list()
        fresh = make_bus(storage, clock, sleeps)
        with pytest.raises(UnknownHandlerError, match="old-handler"):
            await fresh.replay(letter.dead_letter_id)

    async def test_two_processes_replaying_at_once_deliver_once(
        self, tmp_path: Path, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Two replays of one dead letter started together (two processes, one file) deliver it once."""
        path = tmp_path / "replay.sqlite3"
        first, second = SqliteStorage(path, clock), SqliteStorage(path, clock)
        await first.open()
        await second.open()
        try:
            fixed = False
            delivered: list[int] = []

            async def slow_handler(event: Pinged) -> None:
                if not fixed:
                    raise RuntimeError("aún roto")
                await asyncio.sleep(0.5)  # a slow Telegram: both replays are under way at once
                delivered.append(event.n)

            buses = []
            for storage in (first, second):
                bus = LocalEventBus(
                    outbox=storage.outbox,
                    transactions=storage.transactions,
                    dead_letters=storage.dead_letter_queries,
                    clock=clock,
                    ids=SequentialIds(f"replayer{next(_bus_numbers)}"),
                    sleep=sleeps,
                )
                bus.subscribe(Pinged, slow_handler, name="slow")
                buses.append(bus)

            stamper = EventStamper(clock, _event_ids)

            async def work(uow: object) -> None:
                uow.record(Pinged(**stamper.stamp(), user_id=UserId(1), n=7))  # type: ignore[attr-defined]

            await first.transactions.run(work)
            await buses[0].deliver_pending()
            (letter,) = await first.dead_letter_queries.list()

            fixed = True
            outcomes = await asyncio.gather(
                *(bus.replay(letter.dead_letter_id) for bus in buses), return_exceptions=True
            )
            assert delivered == [7]
            assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 1
            (refused,) = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
            assert isinstance(refused, DeadLetterReplayInProgressError), refused
            assert "ya se está reenviando" in refused.message
            with pytest.raises(DeadLetterAlreadyReplayedError):
                await buses[1].replay(letter.dead_letter_id)
            assert delivered == [7]
        finally:
            await first.close()
            await second.close()


class TestCrashesAndLeases:
    async def test_a_crash_mid_delivery_redelivers_only_to_unfinished_handlers(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """If the process dies after one handler finished, the next relay skips it and runs the rest."""
        first_bus = make_bus(storage, clock, sleeps, lease_ttl=10)
        fast_calls: list[int] = []
        slow_started = asyncio.Event()

        async def fast(event: Pinged) -> None:
            fast_calls.append(event.n)

        async def hangs(event: Pinged) -> None:
            slow_started.set()
            await asyncio.Event().wait()

        first_bus.subscribe(Pinged, fast, name="fast")
        first_bus.subscribe(Pinged, hangs, name="slow")
        await publish(storage, clock, ping(1, 1))
        delivery = asyncio.create_task(first_bus.deliver_pending())
        await slow_started.wait()
        # fast finishes right after slow starts; the bus records it only in storage, so poll for it
        while not (await storage.outbox.pending(1))[0].handled_by:  # noqa: ASYNC110
            await asyncio.sleep(0)
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
        assert await storage.outbox.pending(10) == []

    async def test_only_the_lease_holder_delivers(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Two relays on one storage never deliver at the same time; the other takes over after stop."""
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


class TestBackgroundRelay:
    async def test_the_relay_delivers_commits_promptly_and_drains_on_stop(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """With the relay running, a commit wakes it; stop delivers what is left before returning."""
        bus = make_bus(storage, clock, sleeps, poll_interval=60)
        storage.add_commit_listener(bus.notify)
        arrived = asyncio.Event()
        seen: list[int] = []

        async def on_ping(event: Pinged) -> None:
            seen.append(event.n)
            arrived.set()

        bus.subscribe(Pinged, on_ping, name="ping")
        await bus.start()
        await publish(storage, clock, ping(1, 1))
        await asyncio.wait_for(arrived.wait(), timeout=10)
        for n in range(2, 30):
            await publish(storage, clock, ping(n, n))
        await bus.stop(drain_timeout=10)
        assert sorted(seen) == list(range(1, 30))
        assert await storage.outbox.pending(100) == []


def test_parse_event_knows_the_test_events() -> None:
    """The test events are registered like any other (sanity check for the suite itself)."""
    raw = Ponged(event_id=EventId("e"), occurred_at=FakeClock().now(), correlation_id=CorrelationId("c"), n=1)
    assert parse_event(raw.to_json()) == raw


class TestStuckAndRogueHandlers:
    async def test_a_handler_that_never_answers_times_out_each_attempt(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A handler stuck forever is cut off per attempt, tried 3 times, then dead-lettered."""
        bus = make_bus(storage, clock, sleeps, handler_timeout=0.05)
        calls: list[int] = []

        async def stuck(event: Pinged) -> None:
            calls.append(event.n)
            await asyncio.Event().wait()

        bus.subscribe(Pinged, stuck, name="stuck")
        await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 2  # the ping, then the EventProcessingFailed it caused
        assert calls == [1, 1, 1]
        (letter,) = await storage.dead_letter_queries.list()
        assert letter.error.startswith("TimeoutError: no answer within 0.05 s")

    async def test_a_handler_raising_cancelled_error_is_a_failure_not_a_hang(
        self, bus: LocalEventBus, storage: InMemoryStorage, clock: FakeClock
    ) -> None:
        """A CancelledError escaping a handler is a failed attempt: the relay neither spins nor stalls."""
        calls: list[int] = []
        later: list[int] = []

        async def rogue(event: Pinged) -> None:
            calls.append(event.n)
            if event.n == 1:
                raise asyncio.CancelledError

        async def after(event: Pinged) -> None:
            later.append(event.n)

        bus.subscribe(Pinged, rogue, name="rogue")
        bus.subscribe(Pinged, after, name="after")
        await publish(storage, clock, ping(1, 1), ping(1, 2))
        assert await bus.deliver_pending() == 3  # two pings and one EventProcessingFailed
        assert calls == [1, 1, 1, 2]
        assert later == [1, 2]
        (letter,) = await storage.dead_letter_queries.list()
        assert "HandlerCancelledError" in letter.error


class TestLeaseDuringLongBatches:
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
        await publish(storage, clock, ping(1, 1))  # type: ignore[arg-type]
        delivery = asyncio.create_task(holder.deliver_pending())
        await started.wait()
        for _ in range(15):  # 1.5 s: two and a half lease lengths
            assert await rival.deliver_pending() == 0
            await asyncio.sleep(0.1)
        release.set()
        assert await delivery == 1
        assert calls == [("holder", 1)]

    async def test_a_relay_that_loses_its_lease_stops_its_batch(self, storage: InMemoryStorage) -> None:
        """If renewing fails (another process took the lease), the batch stops; the record stays pending."""
        clock = SystemClock()
        bus = make_bus(storage, clock, Sleeps(), lease_ttl=0.3)
        started = asyncio.Event()

        async def slow(event: Pinged) -> None:
            started.set()
            await asyncio.Event().wait()

        bus.subscribe(Pinged, slow, name="slow")
        await publish(storage, clock, ping(1, 1))  # type: ignore[arg-type]
        delivery = asyncio.create_task(bus.deliver_pending())
        await started.wait()
        far = clock.now() + timedelta(hours=1)
        storage.state.leases["outbox-relay"] = ("another-process", far.timestamp())
        assert await asyncio.wait_for(delivery, timeout=10) == 0
        assert len(await storage.outbox.pending(10)) == 1
        assert await storage.dead_letter_queries.list() == []


class TestStopping:
    async def test_stop_gives_the_lease_up_even_when_storage_fails(
        self, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A final drain that hits failing storage is logged; stop returns and never raises."""
        storage = SqliteStorage(tmp_path / "bus.sqlite3", clock)
        await storage.open()
        bus = LocalEventBus(
            outbox=storage.outbox,
            transactions=storage.transactions,
            dead_letters=storage.dead_letter_queries,
            clock=clock,
            ids=SequentialIds("stop"),
        )
        await bus.start()
        await storage.close()
        with caplog.at_level(logging.WARNING):
            await bus.stop(drain_timeout=5)
        assert not bus.running
        assert any("final delivery" in r.getMessage() or "lease" in r.getMessage() for r in caplog.records)


class TestReplayOfUnparsable:
    async def test_an_event_unknown_when_it_failed_is_delivered_once_its_code_exists(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A record no code could parse is dead-lettered; after the code is deployed, replay delivers it."""
        storage.state.outbox[EventId("from-the-future")] = OutboxRecord(
            event_id=EventId("from-the-future"),
            event_type="tests.bus.arrived_later",
            payload=Pinged(
                event_id=EventId("from-the-future"),
                occurred_at=clock.now(),
                correlation_id=CorrelationId("c"),
                user_id=UserId(1),
                n=7,
            )
            .to_json()
            .replace("tests.bus.pinged", "tests.bus.arrived_later"),
            user_id=UserId(1),
            position=1,
            created_at=clock.now(),
        )
        old = make_bus(storage, clock, sleeps)
        await old.deliver_pending()
        (letter,) = await storage.dead_letter_queries.list()
        assert letter.handler == "<unparsable>"

        class ArrivedLater(Event):
            event_type: ClassVar[str] = "tests.bus.arrived_later"

            user_id: UserId
            n: int

        got: list[int] = []

        async def handler(event: ArrivedLater) -> None:
            got.append(event.n)

        new = make_bus(storage, clock, sleeps)
        new.subscribe(ArrivedLater, handler, name="later")
        await new.replay(letter.dead_letter_id)
        assert got == [7]
        assert await storage.dead_letter_queries.list() == []
