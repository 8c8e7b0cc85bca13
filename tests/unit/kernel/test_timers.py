"""Making a timer: what a module may schedule (else a Spanish refusal), in the chain that scheduled it."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from yabot_core.kernel import (
    MAX_TIMER_KEY,
    CorrelationId,
    FakeClock,
    InvalidInputError,
    TimerFired,
    UserId,
    correlation_scope,
    new_timer,
    timer_route,
)

KIND = "lucien.message"


class TestNewTimer:
    def test_a_timer_carries_what_it_was_given(self, clock: FakeClock) -> None:
        """Key, kind, due time, payload and user are kept; nobody holds a fresh timer."""
        due = clock.now() + timedelta(minutes=5)
        timer = new_timer("k-1", KIND, due, now=clock.now(), payload={"key": "m-1"}, user_id=UserId(7))
        assert (timer.key, timer.kind, timer.due_at, timer.scheduled_at) == ("k-1", KIND, due, clock.now())
        assert (timer.payload, timer.user_id) == ({"key": "m-1"}, 7)
        assert (timer.claim, timer.claimed_until) == (None, None)

    def test_defaults_are_an_empty_payload_and_no_user(self, clock: FakeClock) -> None:
        """A timer needs no payload and may concern nobody in particular (a post, a sweep)."""
        timer = new_timer("sweep", "subscriptions.expire", clock.now(), now=clock.now())
        assert (timer.payload, timer.user_id) == ({}, None)

    def test_it_continues_the_chain_that_scheduled_it(self, clock: FakeClock) -> None:
        """Inside a correlation scope the timer remembers its id; outside one it has none."""
        with correlation_scope(CorrelationId("tg-update-9")):
            inside = new_timer("a", KIND, clock.now(), now=clock.now())
        outside = new_timer("b", KIND, clock.now(), now=clock.now())
        assert inside.correlation_id == "tg-update-9"
        assert outside.correlation_id is None

    def test_a_due_time_in_another_zone_is_the_same_instant(self, clock: FakeClock) -> None:
        """Any time zone will do; the instant is what counts."""
        madrid = datetime(2026, 1, 1, 13, 0, tzinfo=UTC).astimezone()
        timer = new_timer("k", KIND, madrid, now=clock.now())
        assert timer.due_at == datetime(2026, 1, 1, 13, 0, tzinfo=UTC)

    def test_a_naive_due_time_is_refused_in_spanish(self, clock: FakeClock) -> None:
        """A time without a zone is ambiguous across processes and servers: refused."""
        naive = datetime(2026, 1, 1, 12, 0)  # noqa: DTZ001  (the point of the test)
        with pytest.raises(InvalidInputError) as caught:
            new_timer("k", KIND, naive, now=clock.now())
        assert caught.value.message == "La hora de un aviso programado debe llevar zona horaria."

    @pytest.mark.parametrize("key", ["", "k" * (MAX_TIMER_KEY + 1)])
    def test_a_key_must_have_1_to_200_characters(self, clock: FakeClock, key: str) -> None:
        """An empty key or one longer than MAX_TIMER_KEY is refused in Spanish."""
        with pytest.raises(InvalidInputError) as caught:
            new_timer(key, KIND, clock.now(), now=clock.now())
        assert caught.value.message == "La clave de un aviso programado debe tener entre 1 y 200 caracteres."

    def test_the_longest_key_is_accepted(self, clock: FakeClock) -> None:
        """Exactly MAX_TIMER_KEY characters is still a key."""
        assert len(new_timer("k" * MAX_TIMER_KEY, KIND, clock.now(), now=clock.now()).key) == MAX_TIMER_KEY

    @pytest.mark.parametrize("kind", ["", "Lucien.message", "9lives", ".hidden", "a kind", "a" * 65, "ñ"])
    def test_a_malformed_kind_is_refused_in_spanish(self, clock: FakeClock, kind: str) -> None:
        """A kind is a lowercase route name (letters, digits, dots, dashes, underscores; up to 64)."""
        with pytest.raises(InvalidInputError) as caught:
            new_timer("k", kind, clock.now(), now=clock.now())
        assert caught.value.message == "El aviso programado no es válido."
        assert caught.value.detail == {"kind": kind}
        assert isinstance(caught.value.__cause__, ValidationError)

    def test_a_naive_now_is_refused(self, clock: FakeClock) -> None:
        """When it was scheduled must be an instant too (a caller passing a naive clock is a bug)."""
        with pytest.raises(InvalidInputError):
            new_timer("k", KIND, clock.now(), now=datetime(2026, 1, 1))  # noqa: DTZ001

    def test_a_payload_must_be_json(self, clock: FakeClock) -> None:
        """The payload is stored and travels in an event: only JSON values fit."""
        with pytest.raises(InvalidInputError):
            new_timer("k", KIND, clock.now(), now=clock.now(), payload={"when": clock.now()})  # type: ignore[dict-item]

    def test_a_timer_cannot_be_edited(self, clock: FakeClock) -> None:
        """Timers are values: rescheduling makes a new one."""
        timer = new_timer("k", KIND, clock.now(), now=clock.now())
        with pytest.raises(ValidationError):
            timer.key = "other"  # type: ignore[misc]


class TestRoutes:
    def test_a_timer_fired_event_goes_to_its_kinds_route(self, clock: FakeClock) -> None:
        """Only the handlers of a timer's kind receive it when it fires."""
        event = TimerFired(
            event_id="e",  # type: ignore[arg-type]
            occurred_at=clock.now(),
            correlation_id=CorrelationId("c"),
            key="k",
            kind=KIND,
            due_at=clock.now(),
        )
        assert event.route == timer_route(KIND) == "timer.fired:lucien.message"
