"""The story engine over the in-memory backend, with the shipped story, catalog and texts."""

import pytest

from tests.contracts.story_fixtures import StoryBench, story_bench
from yabot_adapters.memory import InMemoryStorage
from yabot_core.kernel import FakeClock


@pytest.fixture(name="bench")
def bench_fixture(storage: InMemoryStorage, clock: FakeClock) -> StoryBench:
    return story_bench(storage, clock)
