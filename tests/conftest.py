"""Fixtures shared by every suite."""

import pytest

from yabot_core.kernel import FakeClock, SequentialIds


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="ids")
def ids_fixture() -> SequentialIds:
    return SequentialIds()
