"""Durable timers on every backend: schedule, cancel, claims with leases, and firing each exactly once."""

import asyncio
from collections import Counter
from datetime import timedelta
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, record_everything, recorded_events
from tests.contracts.factory import StorageFactory
from tests.contracts.machines import StorageMachine, run_machine
from yabot_adapters.scheduling import Ticker
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import (
    CorrelationId,
    EventStamper,
    FakeClock,
    SequentialIds,
    Timer,
    TimerFired,
    correlation_scope,
    new_timer,
)

KIND = "tests.timer"


async def schedule(storage: StorageBackend, timer: Timer) -> None:
    async def work(uow: StorageUnitOfWork) -> None:
        await uow.timers.schedule(timer)

    await storage.transactions.run(work)


async def cancel(storage: StorageBackend, key: str) -> bool:
    async def work(uow: StorageUnitOfWork) -> bool:
        return await uow.timers.cancel(key)

    return await storage.transactions.run(work)


async def complete(storage: StorageBackend, timer: Timer) -> bool:
    async def work(uow: StorageUnitOfWork) -> bool:
        return await uow.timers.complete(timer)

    return await storage.transactions.run(work)


def a_timer(
    clock: FakeClock, key: str, *, seconds: float = 0, payload: dict[str, object] | None = None
) -> Timer:
    due = clock.now() + timedelta(seconds=seconds)
    return new_timer(key, KIND, due, now=clock.now(), payload=payload, user_id=ALICE)  # type: ignore[arg-type]


class TimersContract(ContractBase):
    """What every backend's timers slice must do."""

    timer_examples: ClassVar[int] = 40

    async def test_scheduled_timers_are_listed_by_due_time(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Pending timers come earliest first, filtered by kind; the same key reschedules."""
        await schedule(storage, a_timer(clock, "b", seconds=20))
        await schedule(storage, a_timer(clock, "a", seconds=10, payload={"n": 1}))
        await schedule(storage, new_timer("c", "other.kind", clock.now(), now=clock.now()))
        await schedule(storage, a_timer(clock, "b", seconds=5))  # rescheduled sooner
        assert [t.key for t in await storage.timer_store.pending(limit=10)] == ["c", "b", "a"]
        assert [t.key for t in await storage.timer_store.pending(limit=10, kind=KIND)] == ["b", "a"]
        assert [t.key for t in await storage.timer_store.pending(limit=1)] == ["c"]
        (a,) = [t for t in await storage.timer_store.pending(limit=10) if t.key == "a"]
        assert a.payload == {"n": 1}
        assert a.user_id == ALICE
        assert a.due_at == clock.now() + timedelta(seconds=10)
        assert await storage.timer_store.next_due() == clock.now()

    async def test_only_due_timers_are_claimed_and_each_by_one_claimer(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A claim takes due, unclaimed timers only; a second claimer gets none until the lease ends."""
        for n in range(5):
            await schedule(storage, a_timer(clock, f"t{n}", seconds=n))
        clock.advance(timedelta(seconds=2))
        now = clock.now()
        first = await storage.timer_store.claim_due(now, "one", now + timedelta(seconds=30), 10)
        assert sorted(t.key for t in first) == ["t0", "t1", "t2"]
        assert all(t.claim == "one" for t in first)
        assert await storage.timer_store.claim_due(now, "two", now + timedelta(seconds=30), 10) == []
        assert await storage.timer_store.next_due() == now + timedelta(seconds=1)  # t3, not the held ones
        later = now + timedelta(seconds=31)
        again = await storage.timer_store.claim_due(later, "two", later + timedelta(seconds=30), 10)
        assert sorted(t.key for t in again) == ["t0", "t1", "t2", "t3", "t4"]
        assert not await complete(storage, first[0])  # the old claim lost it
        assert await complete(storage, next(t for t in again if t.key == first[0].key))
        assert [t.key for t in await storage.timer_store.pending(limit=10)] == ["t1", "t2", "t3", "t4"]

    async def test_racing_claimers_never_share_a_timer(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Many claimers at once on 50 due timers: each timer goes to exactly one of them."""
        for n in range(50):
            await schedule(storage, a_timer(clock, f"t{n}"))
        now = clock.now()
        batches = await asyncio.gather(
            *(storage.timer_store.claim_due(now, f"c{n}", now + timedelta(seconds=30), 7) for n in range(10))
        )
        keys = [timer.key for batch in batches for timer in batch]
        assert sorted(keys) == sorted(f"t{n}" for n in range(50))

    async def test_cancelled_and_rescheduled_timers_are_not_completed_by_a_stale_claim(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Completing needs the very claim: a cancel or a reschedule after the claim wins."""
        await schedule(storage, a_timer(clock, "gone"))
        await schedule(storage, a_timer(clock, "moved"))
        now = clock.now()
        claimed = {
            t.key: t for t in await storage.timer_store.claim_due(now, "c", now + timedelta(seconds=9), 9)
        }
        assert await cancel(storage, "gone")
        assert not await cancel(storage, "gone")
        await schedule(storage, a_timer(clock, "moved", seconds=60))
        assert not await complete(storage, claimed["gone"])
        assert not await complete(storage, claimed["moved"])
        (moved,) = await storage.timer_store.pending(limit=10)
        assert (moved.key, moved.claim) == ("moved", None)

    async def test_the_ticker_fires_each_due_timer_once_in_its_correlation(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Due timers become TimerFired events once, continuing the chain that scheduled them."""
        with correlation_scope(CorrelationId("tg-77")):
            await schedule(storage, a_timer(clock, "now", payload={"x": "y"}))
        await schedule(storage, a_timer(clock, "later", seconds=60))
        ticker = Ticker(storage, clock, SequentialIds("tick"))
        assert await ticker.fire_due() == 1
        assert await ticker.fire_due() == 0
        (fired,) = await recorded_events(storage)
        assert isinstance(fired, TimerFired)
        assert (fired.key, fired.kind, fired.payload, fired.user_id) == ("now", KIND, {"x": "y"}, ALICE)
        assert fired.correlation_id == "tg-77"
        assert fired.route == f"timer.fired:{KIND}"
        assert [t.key for t in await storage.timer_store.pending(limit=10)] == ["later"]

    def test_every_uncancelled_timer_fires_exactly_once(self, storage_factory: StorageFactory) -> None:
        """Random schedules, reschedules, cancels, crashed claimers and ticks: one firing per live timer."""
        run_timer_machine(storage_factory, examples=self.timer_examples)


KEYS = st.sampled_from(["k0", "k1", "k2"])


def timer_machine(factory: StorageFactory) -> type[StorageMachine]:
    """The state machine class for backends made by ``factory``."""

    class TimerMachine(StorageMachine):
        def __init__(self) -> None:
            super().__init__(factory)
            record_everything(self.storage)
            self.ticker = Ticker(self.storage, self.clock, SequentialIds("t"), lease=30)
            self.generation = 0
            self.live: dict[str, tuple[int, object]] = {}  # key -> (generation, due_at)
            self.fired: Counter[tuple[str, int]] = Counter()
            self.held: list[Timer] = []
            self.slow_ids = SequentialIds("slow")
            self.seen: set[str] = set()
            """Ids of the events already checked (the outbox orders one user's events, not all users')."""

        @rule(key=KEYS, seconds=st.integers(min_value=0, max_value=10))
        def schedule(self, key: str, seconds: int) -> None:
            self.generation += 1
            timer = a_timer(self.clock, key, seconds=seconds, payload={"gen": self.generation})
            self.runner.run(schedule(self.storage, timer))
            self.live[key] = (self.generation, timer.due_at)

        @rule(key=KEYS)
        def cancel(self, key: str) -> None:
            existed = self.runner.run(cancel(self.storage, key))
            assert existed == (key in self.live)
            self.live.pop(key, None)

        @rule(seconds=st.integers(min_value=0, max_value=35))
        def advance(self, seconds: int) -> None:
            self.clock.advance(timedelta(seconds=seconds))

        @rule()
        def a_slow_ticker_claims(self) -> None:
            """It may die holding the claims, or fire them late (after cancels, reschedules, re-claims)."""
            now = self.clock.now()
            claim = f"slow-{self.generation}-{now}"
            self.held += self.runner.run(
                self.storage.timer_store.claim_due(now, claim, now + timedelta(seconds=30), 3)
            )

        @rule()
        def the_slow_ticker_fires_late(self) -> None:
            held, self.held = self.held, []
            stamper = EventStamper(self.clock, self.slow_ids)

            async def fire(uow: StorageUnitOfWork) -> None:
                for timer in held:
                    if await uow.timers.complete(timer):
                        uow.record(
                            TimerFired(
                                **stamper.stamp(),
                                user_id=timer.user_id,  # as the Ticker stamps it
                                key=timer.key,
                                kind=timer.kind,
                                due_at=timer.due_at,
                                payload=timer.payload,
                            )
                        )

            self.runner.run(self.storage.transactions.run(fire))
            self._collect()

        @rule()
        def tick(self) -> None:
            self.runner.run(self.ticker.fire_due())
            self._collect()

        @rule()
        def settle(self) -> None:
            """Much later, after every lease: everything still scheduled fires."""
            self.clock.advance(timedelta(hours=1))
            self.runner.run(self.ticker.fire_due())
            self._collect()
            assert self.live == {}

        def _collect(self) -> None:
            events = self.runner.run(recorded_events(self.storage))
            for event in events:
                if event.event_id in self.seen:
                    continue
                self.seen.add(event.event_id)
                assert isinstance(event, TimerFired)
                generation = event.payload["gen"]
                assert isinstance(generation, int)
                assert self.live.get(event.key, (None, None))[0] == generation, (
                    "a stale or cancelled timer fired"
                )
                assert event.due_at <= self.clock.now()
                self.fired[(event.key, generation)] += 1
                del self.live[event.key]

        @invariant()
        def each_firing_once(self) -> None:
            assert all(count == 1 for count in self.fired.values())

    return TimerMachine


def run_timer_machine(factory: StorageFactory, *, examples: int, steps: int = 30) -> None:
    """Run the timers state machine against backends made by ``factory``."""
    run_machine(timer_machine(factory), examples=examples, steps=steps)
