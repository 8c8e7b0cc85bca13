"""The kernel's small parts: errors, retry policy, fake clock, correlation scopes."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from yabot_core.kernel import (
    ConcurrentUpdateError,
    ConflictError,
    CorrelationId,
    DomainError,
    EventId,
    FakeClock,
    IdempotencyKeyReusedError,
    InvalidInputError,
    NotFoundError,
    RetryPolicy,
    SequentialIds,
    UnavailableError,
    YabotError,
    correlation_scope,
    current_scope,
    dead_letter_id,
)


class TestErrors:
    @pytest.mark.parametrize(
        "error",
        [
            YabotError,
            DomainError,
            InvalidInputError,
            NotFoundError,
            ConflictError,
            IdempotencyKeyReusedError,
            ConcurrentUpdateError,
            UnavailableError,
        ],
    )
    def test_every_error_has_a_code_and_a_spanish_message(self, error: type[YabotError]) -> None:
        """Each error class carries a stable snake_case code and a default message."""
        instance = error()
        assert instance.code.replace("_", "").isalpha()
        assert instance.code == instance.code.lower()
        assert instance.message
        assert str(instance) == instance.message

    def test_codes_are_unique(self) -> None:
        """No two kernel errors share a code, so clients can tell them apart."""
        classes = [YabotError, DomainError, InvalidInputError, NotFoundError, ConflictError]
        classes += [IdempotencyKeyReusedError, ConcurrentUpdateError, UnavailableError]
        assert len({c.code for c in classes}) == len(classes)

    def test_only_the_transient_kind_is_retryable(self) -> None:
        """Retries apply to conflicts and unavailability, never to business refusals."""
        assert ConcurrentUpdateError.transient
        assert UnavailableError.transient
        assert not DomainError.transient
        assert not NotFoundError.transient

    def test_detail_and_custom_message(self) -> None:
        """A message and a detail mapping can be given per instance."""
        error = InvalidInputError("Mal.", detail={"campo": "x"})
        assert (error.message, error.detail) == ("Mal.", {"campo": "x"})


class TestRetryPolicy:
    def test_default_is_three_attempts_with_growing_delays(self) -> None:
        """The default policy: 3 attempts, exponential pauses between them."""
        policy = RetryPolicy()
        assert policy.attempts == 3
        delays = policy.delays()
        assert len(delays) == 2
        assert delays[0] < delays[1]

    def test_delays_are_capped(self) -> None:
        """No pause exceeds max_delay."""
        assert RetryPolicy(attempts=6, first_delay=1, multiplier=10, max_delay=30).delays() == [
            1,
            10,
            30,
            30,
            30,
        ]

    @pytest.mark.parametrize(
        "kwargs",
        [{"attempts": 0}, {"first_delay": -1}, {"multiplier": 0.5}, {"first_delay": 2, "max_delay": 1}],
    )
    def test_nonsense_is_refused(self, kwargs: dict[str, float]) -> None:
        """A policy that could never run or shrinks its delays is refused."""
        with pytest.raises(ValueError, match=r".+"):
            RetryPolicy(**kwargs)  # type: ignore[arg-type]


class TestFakesAndScopes:
    def test_fake_clock_moves_only_when_told(self) -> None:
        """The fake clock is frozen until advanced or set."""
        clock = FakeClock()
        start = clock.now()
        assert clock.now() == start
        clock.advance(timedelta(minutes=5))
        assert clock.now() == start + timedelta(minutes=5)
        clock.set(datetime(2030, 1, 1, tzinfo=UTC))
        assert clock.now().year == 2030

    def test_fake_clock_needs_an_aware_start(self) -> None:
        """A naive start would make every event time invalid."""
        with pytest.raises(ValueError, match="timezone-aware"):
            FakeClock(datetime(2026, 1, 1))  # noqa: DTZ001

    def test_sequential_ids_are_unique(self) -> None:
        """Each call returns a new id."""
        ids = SequentialIds("x")
        assert [ids.new_id() for _ in range(3)] == ["x-1", "x-2", "x-3"]

    async def test_scopes_nest_and_stay_within_their_task(self) -> None:
        """A scope applies to its body (and tasks started there) and is undone after."""
        assert current_scope() is None
        with correlation_scope(CorrelationId("outer")):
            with correlation_scope(CorrelationId("inner"), EventId("e")):
                assert current_scope() is not None
                assert current_scope().correlation_id == "inner"  # type: ignore[union-attr]
            seen = await asyncio.create_task(_scope_in_task())
            assert seen == "outer"
        assert current_scope() is None

    def test_dead_letter_ids_are_stable_and_short(self) -> None:
        """The same event and handler always give the same short id; different handlers differ."""
        a = dead_letter_id(EventId("e1"), "h1")
        assert a == dead_letter_id(EventId("e1"), "h1")
        assert a != dead_letter_id(EventId("e1"), "h2")
        assert len(a) == 12


async def _scope_in_task() -> str | None:
    scope = current_scope()
    return scope.correlation_id if scope else None
