"""The local event bus: a relay per handler over the outbox; retries, dead letters, replay, leases, expiry."""

import asyncio
import contextlib
import itertools
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest

from yabot_adapters.bus import LocalEventBus
from yabot_adapters.bus.local import EXPIRY_INTERVAL
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.memory.bus import BusState
from yabot_adapters.scheduling import Ticker
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_adapters.system import SystemClock
from yabot_core.kernel import (
    Clock,
    CorrelationId,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterReplayInProgressError,
    Event,
    EventId,
    EventProcessingFailed,
    EventStamper,
    FakeClock,
    HandlerUnavailableError,
    OutboxRecord,
    OutboxStore,
    ReplayFailedError,
    RetryPolicy,
    SequentialIds,
    TimerFired,
    UnavailableError,
    UnknownHandlerError,
    UserId,
    correlation_scope,
    current_scope,
    new_timer,
    parse_event,
    timer_route,
)

T = TypeVar("T")

HANG_GUARD = 60.0
"""How long a test waits for what should happen at once: only a hang ever reaches it."""

NO_BOT = "este proceso no tiene bot de Telegram"


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
_event_ids = SequentialIds("ev")


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


async def publish(
    storage: StorageBackend, clock: Clock, *events: tuple[type[Event], dict[str, object]]
) -> list[EventId]:
    """Commit events through a unit of work, as the core does; return their ids in commit order."""
    stamper = EventStamper(clock, _event_ids)
    ids: list[EventId] = []

    async def work(uow: StorageUnitOfWork) -> None:
        ids.clear()
        for event_type, fields in events:
            event = event_type.model_validate({**stamper.stamp(), **fields})
            uow.record(event)
            ids.append(event.event_id)

    await storage.transactions.run(work)
    return ids


def ping(user: int, n: int) -> tuple[type[Event], dict[str, object]]:
    return Pinged, {"user_id": user, "n": n}


def pong(n: int) -> tuple[type[Event], dict[str, object]]:
    return Ponged, {"n": n}


async def owed(storage: StorageBackend, handler: str) -> list[EventId]:
    """The ids of what ``handler`` is owed, oldest first."""
    return [record.event_id for record in await storage.outbox.pending(handler, 1000)]


async def guard(awaitable: Awaitable[T]) -> T:
    """Await something that should finish at once; fail instead of hanging if it never does."""
    return await asyncio.wait_for(awaitable, timeout=HANG_GUARD)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until ``check`` holds; the guard only catches a hang."""
    async with asyncio.timeout(HANG_GUARD):
        while not await check():  # noqa: ASYNC110  (polling storage: there is no event to wait on)
            await asyncio.sleep(0.01)


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

    async def test_each_handler_gets_the_events_of_its_type(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Each handler receives exactly the events of the type it subscribed to; then it is owed nothing."""
        bus = make_bus(storage, clock, sleeps)
        pings: list[int] = []
        pongs: list[int] = []

        async def on_ping(event: Pinged) -> None:
            pings.append(event.n)

        async def on_pong(event: Ponged) -> None:
            pongs.append(event.n)

        bus.subscribe(Pinged, on_ping, name="ping")
        bus.subscribe(Ponged, on_pong, name="pong")
        await publish(storage, clock, ping(1, 1), pong(2), ping(1, 3))
        assert await bus.deliver_pending() == 3
        assert (pings, pongs) == ([1, 3], [2])
        assert await storage.outbox.backlog() == {}

    async def test_every_handler_of_a_type_gets_each_event_once(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """An event is owed to each handler of its type separately, and each gets it exactly once."""
        bus = make_bus(storage, clock, sleeps)
        got: list[tuple[str, int]] = []

        async def first(event: Pinged) -> None:
            got.append(("first", event.n))

        async def second(event: Pinged) -> None:
            got.append(("second", event.n))

        bus.subscribe(Pinged, first, name="first")
        bus.subscribe(Pinged, second, name="second")
        await publish(storage, clock, ping(1, 1), ping(1, 2))
        assert await storage.outbox.backlog() == {"first": 2, "second": 2}
        assert await bus.deliver_pending() == 4
        assert sorted(got) == [("first", 1), ("first", 2), ("second", 1), ("second", 2)]
        assert await bus.deliver_pending() == 0

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

    def test_handler_names_are_unique(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Two handlers cannot share a durable name, whether run here or only declared."""
        bus = make_bus(storage, clock, sleeps)

        async def handler(event: Event) -> None:
            return None

        bus.subscribe(Pinged, handler, name="same")
        with pytest.raises(ValueError, match="already declared"):
            bus.subscribe(Ponged, handler, name="same")
        with pytest.raises(ValueError, match="already declared"):
            bus.declare(Ponged, name="same", why=NO_BOT)

    def test_subscriptions_are_run_here_and_routes_are_all_declared(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """``subscriptions`` lists the handlers run here; ``routes`` every declared one, with its route."""
        bus = make_bus(storage, clock, sleeps)

        async def handler(event: Event) -> None:
            return None

        bus.subscribe(Pinged, handler, name="here")
        bus.declare(Ponged, name="elsewhere", why=NO_BOT)
        bus.subscribe(TimerFired, handler, name="reminders", route=timer_route("reminder"))
        assert [subscription.name for subscription in bus.subscriptions] == ["here", "reminders"]
        assert [(route.name, route.route) for route in bus.routes] == [
            ("here", Pinged.event_type),
            ("elsewhere", Ponged.event_type),
            ("reminders", "timer.fired:reminder"),
        ]

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
        assert await bus.deliver_pending() == 120
        assert sorted(seen) == list(range(6))
        for user, ns in seen.items():
            assert ns == [n for n in range(120) if n % 6 == user]

    async def test_handlers_run_in_the_events_correlation_scope(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A handler sees the event's correlation id and the event as cause; its own events inherit them."""
        bus = make_bus(storage, clock, sleeps)
        scopes: list[tuple[str, str | None]] = []
        pongs: list[Ponged] = []

        async def on_ping(event: Pinged) -> None:
            scope = current_scope()
            assert scope is not None
            scopes.append((scope.correlation_id, scope.causation_id))
            await publish(storage, clock, pong(event.n))

        async def on_pong(event: Ponged) -> None:
            pongs.append(event)

        bus.subscribe(Pinged, on_ping, name="ping")
        bus.subscribe(Ponged, on_pong, name="pong")
        with correlation_scope(CorrelationId("tg-99")):
            (ping_id,) = await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 2
        assert scopes == [("tg-99", ping_id)]
        (answer,) = pongs
        assert (answer.correlation_id, answer.causation_id) == ("tg-99", ping_id)


class TestRetriesAndDeadLetters:
    """A failing handler is retried per the policy, then its event becomes a dead letter for it alone."""

    async def test_a_failing_handler_is_tried_three_times_then_dead_lettered(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """3 attempts with the policy's growing pauses, then a dead letter and EventProcessingFailed."""
        bus = make_bus(storage, clock, sleeps)
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
            (event_id,) = await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 2  # the ping, then the announcement of its failure

        assert calls == [1, 1, 1]
        assert sleeps.asked == RetryPolicy().delays()
        assert sleeps.asked[0] < sleeps.asked[1]
        (letter,) = await storage.dead_letter_queries.list()
        assert (letter.event_id, letter.handler, letter.attempts) == (event_id, "broken", 3)
        assert letter.error == "RuntimeError: sin conexión"
        (failed,) = failures
        assert (failed.failed_event_id, failed.handler, failed.dead_letter_id) == (
            event_id,
            "broken",
            letter.dead_letter_id,
        )
        assert "sin conexión" in failed.error
        assert (failed.correlation_id, failed.causation_id, failed.user_id) == ("tg-7", event_id, 1)
        assert await storage.outbox.backlog() == {}

    async def test_a_handler_that_recovers_is_not_dead_lettered(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A handler that fails once and then succeeds is delivered, after one pause."""
        bus = make_bus(storage, clock, sleeps)
        calls: list[int] = []

        async def flaky(event: Pinged) -> None:
            calls.append(event.n)
            if len(calls) == 1:
                raise RuntimeError("transitorio")

        bus.subscribe(Pinged, flaky, name="flaky")
        await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 1
        assert calls == [1, 1]
        assert len(sleeps.asked) == 1
        assert await storage.dead_letter_queries.list() == []

    async def test_a_failing_handler_does_not_stop_the_others(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Other handlers of the same event still get it, and later events still flow."""
        bus = make_bus(storage, clock, sleeps)
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
        letters = await storage.dead_letter_queries.list()
        assert [letter.handler for letter in letters] == ["broken", "broken"]
        assert await storage.outbox.backlog() == {}

    async def test_a_failed_announcement_is_not_announced_again(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """When a handler of EventProcessingFailed fails, it is dead-lettered without a new announcement."""
        bus = make_bus(storage, clock, sleeps)

        async def broken(event: Event) -> None:
            raise RuntimeError("roto")

        bus.subscribe(Pinged, broken, name="broken")
        bus.subscribe(EventProcessingFailed, broken, name="broken-alerts")
        await publish(storage, clock, ping(1, 1))
        assert await bus.deliver_pending() == 2
        letters = await storage.dead_letter_queries.list()
        assert sorted(letter.handler for letter in letters) == ["broken", "broken-alerts"]
        assert await storage.outbox.backlog() == {}


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

    async def test_replay_delivers_once_after_the_fix(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A replay that fails again keeps the letter with more attempts; after the fix it delivers once."""
        bus = make_bus(storage, clock, sleeps)
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Replaying a missing dead letter, or one whose handler no process declares any more, says so."""
        bus = make_bus(storage, clock, sleeps)
        with pytest.raises(DeadLetterNotFoundError, match="ningún"):
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
        assert (await storage.dead_letter_queries.list())[0] == letter

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


class TestDeclaredHandlers:
    """A handler declared but run by another process: its events wait here, untouched, for that process."""

    async def test_a_declared_handlers_events_wait_for_a_process_that_runs_it(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A bus consumes nothing for a handler it only declares; another bus that runs it delivers them."""
        here = make_bus(storage, clock, sleeps)
        local: list[int] = []
        sent: list[int] = []

        async def on_local(event: Pinged) -> None:
            local.append(event.n)

        async def notify(event: Pinged) -> None:
            sent.append(event.n)

        here.subscribe(Pinged, on_local, name="local")
        here.declare(Pinged, name="telegram.notify", why=NO_BOT)
        ids = await publish(storage, clock, ping(1, 1), ping(2, 2), ping(1, 3))
        assert await here.deliver_pending() == 3
        assert sorted(local) == [1, 2, 3]
        assert await owed(storage, "telegram.notify") == ids
        assert await storage.outbox.backlog() == {"telegram.notify": 3}

        there = make_bus(storage, clock, sleeps)  # another process, with the bot: the same routes
        there.declare(Pinged, name="local", why="solo en el otro proceso")
        there.subscribe(Pinged, notify, name="telegram.notify")
        assert await there.deliver_pending() == 3
        assert sorted(sent) == [1, 2, 3]
        assert sorted(local) == [1, 2, 3]
        assert await storage.outbox.backlog() == {}

    async def test_replaying_a_declared_handlers_dead_letter_here_says_why_not(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """Replaying a dead letter of a handler only declared here raises HandlerUnavailableError, why."""
        there = make_bus(storage, clock, sleeps)

        async def broken(event: Pinged) -> None:
            raise RuntimeError("Telegram no responde")

        there.subscribe(Pinged, broken, name="telegram.notify")
        here = make_bus(storage, clock, sleeps)
        here.declare(Pinged, name="telegram.notify", why=NO_BOT)
        await publish(storage, clock, ping(1, 1))
        assert await here.deliver_pending() == 0
        assert await there.deliver_pending() == 1
        (letter,) = await storage.dead_letter_queries.list()

        with pytest.raises(HandlerUnavailableError, match=re.escape(NO_BOT)) as refused:
            await here.replay(letter.dead_letter_id)
        assert "telegram.notify" in refused.value.message
        assert await storage.dead_letter_queries.list() == [letter]


class TestIsolationBetweenHandlers:
    """Each handler is its own consumer: one that is slow or failing delays only itself."""

    async def test_a_hanging_handler_does_not_delay_another_handler_of_the_same_events(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """While one handler hangs, another handler of the same events delivers them all, old and new."""
        bus = make_bus(storage, clock, sleeps, batch_size=5, handler_timeout=10 * HANG_GUARD)
        hung, release, all_done = asyncio.Event(), asyncio.Event(), asyncio.Event()
        fast_seen: list[int] = []

        async def hangs(event: Pinged) -> None:
            hung.set()
            await release.wait()

        async def fast(event: Pinged) -> None:
            fast_seen.append(event.n)
            if len(fast_seen) == 20:
                all_done.set()

        bus.subscribe(Pinged, hangs, name="hangs")
        bus.subscribe(Pinged, fast, name="fast")
        for n in range(10):  # two batches' worth before the hang
            await publish(storage, clock, ping(n % 4, n))
        await bus.start()
        try:
            await guard(hung.wait())
            for n in range(10, 20):  # and more while it hangs
                await publish(storage, clock, ping(n % 4, n))
            await guard(all_done.wait())
        finally:
            release.set()
            await bus.stop(drain_timeout=HANG_GUARD)
        assert sorted(fast_seen) == list(range(20))
        assert await storage.outbox.backlog() == {}


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

    async def test_stale_events_are_dropped_unrun_for_a_handler_run_here(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A handler never runs events older than its max_age: they are acknowledged unrun; fresh ones run."""
        bus = make_bus(storage, clock, sleeps)
        got: list[int] = []

        async def notice(event: Pinged) -> None:
            got.append(event.n)

        bus.subscribe(Pinged, notice, name="notices", max_age=EXPIRY_INTERVAL / 6)
        assert await bus.deliver_pending() == 0  # the periodic expiry ran now; the relay itself must drop
        await publish(storage, clock, ping(1, 1))
        clock.advance(EXPIRY_INTERVAL / 2)  # stale, and before the next periodic expiry
        await publish(storage, clock, ping(1, 2))
        await bus.deliver_pending()
        assert got == [2]
        assert await storage.outbox.backlog() == {}
        assert await storage.dead_letter_queries.list() == []

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


class TestTimers:
    """A fired timer reaches the handlers of its kind only."""

    async def test_a_timer_reaches_only_the_handlers_of_its_kind(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A TimerFired of kind K reaches handlers subscribed to timer_route(K), not those of another kind."""
        bus = make_bus(storage, clock, sleeps)
        reminders: list[str] = []
        closes: list[str] = []

        async def on_reminder(event: TimerFired) -> None:
            reminders.append(event.key)

        async def on_close(event: TimerFired) -> None:
            closes.append(event.key)

        bus.subscribe(TimerFired, on_reminder, name="reminders", route=timer_route("reminder"))
        bus.subscribe(TimerFired, on_close, name="closes", route=timer_route("auction.close"))

        async def schedule(uow: StorageUnitOfWork) -> None:
            now = clock.now()
            for key, kind in [
                ("r1", "reminder"),
                ("c1", "auction.close"),
                ("r2", "reminder"),
                ("x", "other"),
            ]:
                await uow.timers.schedule(new_timer(key, kind, now + timedelta(minutes=1), now=now))

        await storage.transactions.run(schedule)
        clock.advance(timedelta(minutes=2))
        ticker = Ticker(storage, clock, SequentialIds("tick"))
        assert await ticker.fire_due() == 4
        assert await storage.outbox.backlog() == {"reminders": 2, "closes": 1}  # kind "other": owed to none
        assert await bus.deliver_pending() == 3
        assert sorted(reminders) == ["r1", "r2"]
        assert closes == ["c1"]


class TestBackgroundRelay:
    """Started, the bus relays in the background: woken by local commits, drained and released on stop."""

    async def test_the_relay_wakes_on_commit_and_drains_on_stop(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A local commit wakes the relay (no polling needed); stop delivers what is left before returning."""
        bus = make_bus(storage, clock, sleeps, poll_interval=3600)
        arrived = asyncio.Event()
        seen: list[int] = []

        async def on_ping(event: Pinged) -> None:
            seen.append(event.n)
            arrived.set()

        bus.subscribe(Pinged, on_ping, name="ping")
        await bus.start()
        try:
            await publish(storage, clock, ping(1, 1))
            await guard(arrived.wait())  # the next poll is an hour away: only the commit woke it
            for n in range(2, 30):
                await publish(storage, clock, ping(n, n))
        finally:
            await bus.stop(drain_timeout=HANG_GUARD)
        assert sorted(seen) == list(range(1, 30))
        assert await storage.outbox.backlog() == {}

    async def test_the_readiness_probe_follows_the_relay(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """``check_running`` fails before start and after stop, and passes while the relay runs."""
        bus = make_bus(storage, clock, sleeps)
        with pytest.raises(UnavailableError):
            await bus.check_running()
        await bus.start()
        try:
            await bus.check_running()
        finally:
            await bus.stop()
        with pytest.raises(UnavailableError):
            await bus.check_running()

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


class TestStuckAndRogueHandlers:
    """A handler that never answers, or cancels itself, fails its attempts instead of stalling its relay."""

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
        assert await guard(bus.deliver_pending()) == 1
        assert calls == [1, 1, 1]
        (letter,) = await storage.dead_letter_queries.list()
        assert letter.error.startswith("TimeoutError: no answer within 0.05 s")

    async def test_a_handler_raising_cancelled_error_is_a_failure_not_a_hang(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps
    ) -> None:
        """A CancelledError escaping a handler is a failed attempt: the relay neither spins nor stalls."""
        bus = make_bus(storage, clock, sleeps)
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
        assert await guard(bus.deliver_pending()) == 4  # two pings, each to two handlers
        assert calls == [1, 1, 1, 2]
        assert later == [1, 2]
        (letter,) = await storage.dead_letter_queries.list()
        assert "HandlerCancelledError" in letter.error


def test_parse_event_knows_the_test_events() -> None:
    """The test events are registered like any other (sanity check for the suite itself)."""
    raw = Ponged(event_id=EventId("e"), occurred_at=FakeClock().now(), correlation_id=CorrelationId("c"), n=1)
    assert parse_event(raw.to_json()) == raw
