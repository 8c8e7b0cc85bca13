"""Events: immutable, self-describing, JSON round-trip, stamped from the ports and the correlation scope."""

from typing import ClassVar

import pydantic
import pytest

from yabot_core.kernel import (
    CorrelationId,
    Event,
    EventId,
    EventProcessingFailed,
    EventStamper,
    FakeClock,
    SequentialIds,
    UserId,
    correlation_scope,
    event_class,
    parse_event,
)


class Poked(Event):
    event_type: ClassVar[str] = "tests.poked"

    user_id: UserId
    times: int


def poked(clock: FakeClock, **overrides: object) -> Poked:
    fields: dict[str, object] = {
        "event_id": EventId("e1"),
        "occurred_at": clock.now(),
        "correlation_id": CorrelationId("c1"),
        "user_id": UserId(7),
        "times": 2,
    }
    fields.update(overrides)
    return Poked.model_validate(fields)


class TestEvent:
    def test_json_round_trip_rebuilds_the_same_event(self, clock: FakeClock) -> None:
        """An event parsed from its own JSON equals the original, class included."""
        event = poked(clock, causation_id=EventId("e0"))
        again = parse_event(event.to_json())
        assert again == event
        assert type(again) is Poked

    def test_json_names_the_type(self, clock: FakeClock) -> None:
        """The JSON carries ``type`` so any reader can route it."""
        assert '"type":"tests.poked"' in poked(clock).to_json()

    def test_events_are_immutable(self, clock: FakeClock) -> None:
        """Nobody can change a fact after the fact."""
        event = poked(clock)
        with pytest.raises(pydantic.ValidationError):
            event.times = 3  # type: ignore[misc]

    def test_unknown_fields_are_refused(self, clock: FakeClock) -> None:
        """A typo in a field name is an error, not silently dropped data."""
        with pytest.raises(pydantic.ValidationError):
            poked(clock, tiems=3)

    def test_naive_times_are_refused(self, clock: FakeClock) -> None:
        """Event times are timezone-aware, so processes in different zones agree."""
        with pytest.raises(pydantic.ValidationError):
            poked(clock, occurred_at=clock.now().replace(tzinfo=None))

    @pytest.mark.parametrize(
        "raw",
        ["not json", "[]", '{"type": 3}', '{"type": "nobody.knows"}', '{"type": "tests.poked", "times": 1}'],
    )
    def test_bad_json_is_a_value_error(self, raw: str) -> None:
        """Malformed, untyped, unknown or invalid JSON raises ValueError."""
        with pytest.raises(ValueError, match=r".+"):
            parse_event(raw)

    def test_a_type_name_cannot_be_declared_twice(self) -> None:
        """Two classes claiming one type name would make parsing ambiguous."""
        with pytest.raises(TypeError, match="declared twice"):

            class Impostor(Event):
                event_type: ClassVar[str] = "tests.poked"

    def test_event_class_finds_registered_types(self) -> None:
        """The registry maps type names to classes, kernel events included."""
        assert event_class("tests.poked") is Poked
        assert event_class("bus.event_processing_failed") is EventProcessingFailed


class TestEventStamper:
    def test_outside_a_scope_each_event_starts_its_own_chain(self, clock: FakeClock) -> None:
        """Without a scope, an event gets a new correlation id and no cause."""
        stamp = EventStamper(clock, SequentialIds()).stamp()
        assert stamp["event_id"] == "id-1"
        assert stamp["correlation_id"] == "id-2"
        assert stamp["causation_id"] is None
        assert stamp["occurred_at"] == clock.now()

    def test_inside_a_scope_events_continue_the_chain(self, clock: FakeClock) -> None:
        """Inside a scope, events inherit its correlation id and cause."""
        stamper = EventStamper(clock, SequentialIds())
        with correlation_scope(CorrelationId("tg-42"), EventId("cause")):
            stamp = stamper.stamp()
        assert (stamp["correlation_id"], stamp["causation_id"]) == ("tg-42", "cause")
        assert stamper.stamp()["correlation_id"] != "tg-42"
