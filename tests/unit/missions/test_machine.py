"""A hypothesis state machine driving the missions on the in-memory backend, compared with a plain model.

Random claps (loud or not) by two fans, redeliveries of claps already counted, admin assignments and the
clock moving on by hours or days. After every step: progress never exceeds an objective, each fan's
missions are the model's, and each completion was paid once (the wallet equals the sum of its ledger, one
reward entry per completion).
"""

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, rule

from tests.contracts.machines import StorageMachine, run_machine
from tests.contracts.mission_fixtures import (
    CLAPS,
    DAILY_CLAP,
    WEEKLY,
    Clapped,
    clap,
    clap_catalog,
    missions_over,
)
from yabot_adapters.memory import InMemoryStorage
from yabot_adapters.storage import StorageBackend, opened
from yabot_core.kernel import FakeClock, UserId
from yabot_core.missions import MISSION_REWARD, MissionDefinition, period_of

FANS = (UserId(1), UserId(2))
CATALOG = clap_catalog()


@dataclass
class Model:
    """One fan's mission as the model sees it."""

    period: str
    progress: int = 0
    done: bool = False
    completions: int = 0


@dataclass
class World:
    """Every fan's missions, the events counted, and what each fan should have been paid."""

    missions: dict[tuple[UserId, str], Model] = field(default_factory=dict)
    counted: set[str] = field(default_factory=set)
    paid: dict[UserId, int] = field(default_factory=dict)


def memory(clock: FakeClock) -> AbstractAsyncContextManager[StorageBackend]:
    return opened(InMemoryStorage(clock))


class MissionsMachine(StorageMachine):
    claps = Bundle("claps")

    def __init__(self) -> None:
        super().__init__(memory)
        self.missions = missions_over(self.storage, self.clock)
        self.world = World()
        self.serial = 0

    def _period(self, definition: MissionDefinition) -> str:
        return period_of(definition.kind, self.clock.now(), UTC)

    @rule(fan=st.sampled_from(FANS), mission_id=st.sampled_from([CLAPS, DAILY_CLAP, WEEKLY]))
    def assign(self, fan: UserId, mission_id: str) -> None:
        self.runner.run(self.missions.assign(fan, mission_id))
        definition = CATALOG.mission(mission_id)
        self.world.missions.setdefault((fan, mission_id), Model(self._period(definition)))

    @rule(target=claps, fan=st.sampled_from(FANS), loud=st.booleans())
    def new_clap(self, fan: UserId, loud: bool) -> Clapped:
        self.serial += 1
        event = clap(self.clock, fan, f"e{self.serial}", loud=loud)
        self._deliver(event)
        return event

    @rule(event=claps)
    def redeliver(self, event: Clapped) -> None:
        self._deliver(event)

    @rule(hours=st.integers(min_value=1, max_value=80))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    def _deliver(self, event: Clapped) -> None:
        self.runner.run(self.missions.on_event(event))
        if event.event_id in self.world.counted:
            return
        self.world.counted.add(event.event_id)
        fan = event.user_id
        for definition in CATALOG:
            period = period_of(definition.kind, event.occurred_at, UTC)
            if definition.assign_on == event.event_type:
                self.world.missions.setdefault((fan, definition.id), Model(period))
            model = self.world.missions.get((fan, definition.id))
            if model is None or not definition.objective.matches(event) or period < model.period:
                continue
            if period != model.period:
                model.period, model.progress, model.done = period, 0, False
            if model.done:
                continue
            model.progress += 1
            if model.progress == definition.objective.count:
                model.done = True
                model.completions += 1
                self.world.paid[fan] = self.world.paid.get(fan, 0) + definition.reward.besitos

    @invariant()
    def progress_never_exceeds_the_objective_and_matches_the_model(self) -> None:
        for fan in FANS:
            stored = self.runner.run(self.storage.mission_queries.for_user(fan))
            for mission in stored:
                target = CATALOG.mission(mission.mission_id).objective.count
                assert 0 <= mission.progress <= target
                model = self.world.missions[fan, mission.mission_id]
                assert (mission.period, mission.progress, mission.completed_at is not None) == (
                    model.period,
                    model.progress,
                    model.done,
                )
                assert mission.completions == model.completions
            assert len(stored) == len([key for key in self.world.missions if key[0] == fan])

    @invariant()
    def every_completion_was_paid_once(self) -> None:
        for fan in FANS:
            statement = self.runner.run(self.storage.wallet_queries.statement(fan, limit=100, offset=0))
            entries = statement.history.entries
            assert statement.balance.balance == sum(entry.amount for entry in entries)
            assert statement.balance.balance == self.world.paid.get(fan, 0)
            completions = sum(m.completions for (who, _), m in self.world.missions.items() if who == fan)
            assert len([entry for entry in entries if entry.reason == MISSION_REWARD]) == completions


def test_missions_count_each_event_once_and_pay_each_completion_once() -> None:
    """Progress stays within the objective; redeliveries count nothing; every completion is paid once."""
    run_machine(MissionsMachine, examples=30, steps=30)
