"""The event bus contract: what every bus adapter guarantees to handlers, run against each adapter.

``EventBusContract`` holds the behaviour; each adapter's test module subclasses it and supplies ``make_bus``
(a bus as one process would have it, over the given storage). The test events and helpers live here too, so
the adapters' own suites share them.
"""

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar, Protocol, TypeVar

import pytest

from yabot_adapters.bus.routes import RoutedBus
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.scheduling import Ticker
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import (
    Clock,
    CorrelationId,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    Event,
    EventId,
    EventProcessingFailed,
    EventStamper,
    FakeClock,
    HandlerUnavailableError,
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


class BusFactory(Protocol):
    """Makes a bus as one process would have it: its own consumer; retry pauses recorded in ``sleeps``."""

    def __call__(self, storage: Any, clock: Clock, sleeps: Sleeps, **options: Any) -> RoutedBus: ...


_event_ids = SequentialIds("ev")


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


async def guard(awaitable: Awaitable[T]) -> T:
    """Await something that should finish at once; fail instead of hanging if it never does."""
    return await asyncio.wait_for(awaitable, timeout=HANG_GUARD)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait until ``check`` holds; the guard only catches a hang."""
    async with asyncio.timeout(HANG_GUARD):
        while not await check():  # noqa: ASYNC110  (polling storage: there is no event to wait on)
            await asyncio.sleep(0.01)


class EventBusContract:
    """Delivery, order, scopes, retries, dead letters, replay, declared handlers, isolation, lifecycle.

    Subclasses provide the ``make_bus`` fixture (a :class:`BusFactory`); storage is the in-memory backend.
    """

    @pytest.fixture(name="sleeps")
    def sleeps_fixture(self) -> Sleeps:
        return Sleeps()

    async def test_each_handler_gets_the_events_of_its_type(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        assert await bus.deliver_pending() == 4
        assert sorted(got) == [("first", 1), ("first", 2), ("second", 1), ("second", 2)]
        assert await bus.deliver_pending() == 0

    async def test_handler_names_are_unique(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_subscriptions_are_run_here_and_routes_are_all_declared(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_a_failing_handler_is_tried_three_times_then_dead_lettered(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_replay_delivers_once_after_the_fix(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_a_declared_handlers_events_wait_for_a_process_that_runs_it(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        await publish(storage, clock, ping(1, 1), ping(2, 2), ping(1, 3))
        assert await here.deliver_pending() == 3
        assert sorted(local) == [1, 2, 3]

        there = make_bus(storage, clock, sleeps)  # another process, with the bot: the same routes
        there.declare(Pinged, name="local", why="solo en el otro proceso")
        there.subscribe(Pinged, notify, name="telegram.notify")
        assert await there.deliver_pending() == 3
        assert sorted(sent) == [1, 2, 3]
        assert sorted(local) == [1, 2, 3]
        assert await storage.outbox.backlog() == {}

    async def test_replaying_a_declared_handlers_dead_letter_here_says_why_not(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_a_hanging_handler_does_not_delay_another_handler_of_the_same_events(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_stale_events_are_dropped_unrun_for_a_handler_run_here(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
    ) -> None:
        """A handler never runs events older than its max_age: they are acknowledged unrun; fresh ones run."""
        bus = make_bus(storage, clock, sleeps)
        got: list[int] = []

        async def notice(event: Pinged) -> None:
            got.append(event.n)

        bus.subscribe(Pinged, notice, name="notices", max_age=timedelta(seconds=10))
        assert await bus.deliver_pending() == 0  # any periodic expiry ran now: the consumer itself must drop
        await publish(storage, clock, ping(1, 1))
        clock.advance(timedelta(seconds=30))  # stale, and before any periodic expiry
        await publish(storage, clock, ping(1, 2))
        await bus.deliver_pending()
        assert got == [2]
        assert await storage.outbox.backlog() == {}
        assert await storage.dead_letter_queries.list() == []

    async def test_a_timer_reaches_only_the_handlers_of_its_kind(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        assert await bus.deliver_pending() == 3
        assert sorted(reminders) == ["r1", "r2"]
        assert closes == ["c1"]

    async def test_the_relay_wakes_on_commit_and_drains_on_stop(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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

    async def test_a_handler_that_never_answers_times_out_each_attempt(
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
        self, storage: InMemoryStorage, clock: FakeClock, sleeps: Sleeps, make_bus: BusFactory
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
