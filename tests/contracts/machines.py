"""What every storage state machine shares: a fresh backend on its own event loop, and how it is run."""

import asyncio

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from tests.contracts.factory import StorageFactory
from yabot_core.kernel import FakeClock


class StorageMachine(RuleBasedStateMachine):
    """A state machine over a fresh backend made by ``factory``, with a fake clock; closed at teardown.

    Hypothesis builds machines without arguments: a contract defines its machine inside a function taking
    the factory, whose ``__init__`` passes it here.
    """

    def __init__(self, factory: StorageFactory) -> None:
        super().__init__()
        self.runner = asyncio.Runner()  # one loop for the whole run: the storage's connections live on it
        self.clock = FakeClock()
        self.context = factory(self.clock)
        self.storage = self.runner.run(self.context.__aenter__())

    def teardown(self) -> None:
        try:
            self.runner.run(self.context.__aexit__(None, None, None))
        finally:
            self.runner.close()


def run_machine(machine: type[StorageMachine], *, examples: int, steps: int = 30) -> None:
    """Run ``machine`` for ``examples`` runs of up to ``steps`` rules each (sized per backend's speed)."""
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
