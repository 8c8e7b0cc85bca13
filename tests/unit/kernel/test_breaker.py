"""The circuit breaker policy: opens after repeated failures, refuses at once, tries again after 30 s."""

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yabot_core.kernel import (
    BREAKER_OPEN_FOR,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    DomainError,
    FakeClock,
    UnavailableError,
)


def _counts(exc: BaseException) -> bool:
    return isinstance(exc, UnavailableError)


async def _fail() -> None:
    raise UnavailableError


async def _ok() -> str:
    return "ok"


async def _refuse() -> None:
    raise DomainError


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    return FakeClock()


class TestCircuitBreaker:
    async def test_opens_after_consecutive_failures(self, clock: FakeClock) -> None:
        """Five failures in a row open it; the sixth call is refused without being made."""
        breaker = CircuitBreaker("almacenamiento", clock)
        for _ in range(5):
            with pytest.raises(UnavailableError):
                await breaker.call(_fail, counts=_counts)
        assert breaker.state is BreakerState.OPEN
        calls = []

        async def tracked() -> None:
            calls.append(1)

        with pytest.raises(CircuitOpenError) as refused:
            await breaker.call(tracked, counts=_counts)
        assert calls == []
        assert refused.value.code == "circuito_abierto"
        assert "inténtelo" in refused.value.message
        assert refused.value.retry_in == 30

    async def test_a_success_resets_the_count(self, clock: FakeClock) -> None:
        """Failures must be consecutive: a success in between starts counting again."""
        breaker = CircuitBreaker("telegram", clock, failures=3)
        for _ in range(2):
            with pytest.raises(UnavailableError):
                await breaker.call(_fail, counts=_counts)
        assert await breaker.call(_ok, counts=_counts) == "ok"
        for _ in range(2):
            with pytest.raises(UnavailableError):
                await breaker.call(_fail, counts=_counts)
        assert breaker.state is BreakerState.CLOSED

    async def test_a_refusal_is_no_outage(self, clock: FakeClock) -> None:
        """An error the counter does not count (a business refusal) closes the breaker like a success."""
        breaker = CircuitBreaker("almacenamiento", clock, failures=2)
        with pytest.raises(UnavailableError):
            await breaker.call(_fail, counts=_counts)
        with pytest.raises(DomainError):
            await breaker.call(_refuse, counts=_counts)
        with pytest.raises(UnavailableError):
            await breaker.call(_fail, counts=_counts)
        assert breaker.state is BreakerState.CLOSED

    async def test_half_open_after_30_seconds_lets_one_trial_through(self, clock: FakeClock) -> None:
        """After 30 s one trial call goes through; while it runs, others are still refused."""
        breaker = CircuitBreaker("almacenamiento", clock, failures=1)
        with pytest.raises(UnavailableError):
            await breaker.call(_fail, counts=_counts)
        clock.advance(BREAKER_OPEN_FOR - timedelta(seconds=1))
        assert breaker.state is BreakerState.OPEN
        clock.advance(timedelta(seconds=1))
        assert breaker.state is BreakerState.HALF_OPEN
        breaker.check()  # the trial
        with pytest.raises(CircuitOpenError):
            breaker.check()
        breaker.succeeded()
        assert breaker.state is BreakerState.CLOSED
        assert breaker.status().times_opened == 1

    async def test_a_failed_trial_opens_it_for_another_30_seconds(self, clock: FakeClock) -> None:
        """The trial's failure opens the breaker again at once, for a whole period."""
        breaker = CircuitBreaker("telegram", clock, failures=2)
        for _ in range(2):
            with pytest.raises(UnavailableError):
                await breaker.call(_fail, counts=_counts)
        clock.advance(BREAKER_OPEN_FOR)
        with pytest.raises(UnavailableError):
            await breaker.call(_fail, counts=_counts)
        assert breaker.state is BreakerState.OPEN
        clock.advance(BREAKER_OPEN_FOR)
        assert await breaker.call(_ok, counts=_counts) == "ok"
        assert breaker.status().times_opened == 2

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.sampled_from(["ok", "fail", "wait"]), max_size=40))
    def test_never_open_without_enough_failures(self, steps: list[str]) -> None:
        """Whatever the sequence, the breaker is open only after ``failures`` consecutive failures."""
        clock = FakeClock()
        breaker = CircuitBreaker("x", clock, failures=3)
        run = 0
        for step in steps:
            if step == "wait":
                clock.advance(BREAKER_OPEN_FOR)
                continue
            try:
                breaker.check()
            except CircuitOpenError:
                assert run >= 3 or breaker.status().times_opened > 0
                continue
            if step == "ok":
                breaker.succeeded()
                run = 0
            else:
                breaker.failed()
                run += 1
            if breaker.status().times_opened == 0:
                assert (breaker.state is BreakerState.OPEN) == (run >= 3)
