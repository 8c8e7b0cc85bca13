"""The Event base: immutable, self-describing facts with a JSON round-trip.

Every concrete event names its ``event_type`` once; that name is how it is stored in the outbox, routed by
the bus and parsed back. Metadata (id, time, correlation, causation) comes from an :class:`EventStamper`, so
the core never reads the wall clock or mints ids itself.
"""

import json
from datetime import datetime
from typing import Any, ClassVar, TypedDict

from pydantic import AwareDatetime, BaseModel, ConfigDict, computed_field

from yabot_core.kernel.clock import Clock
from yabot_core.kernel.correlation import current_scope
from yabot_core.kernel.ids import CorrelationId, EventId, IdGenerator, UserId

_REGISTRY: dict[str, type["Event"]] = {}


class Event(BaseModel):
    """Base of every domain event.

    Subclasses set ``event_type`` (a stable dotted name) and bump ``version``'s default when their schema
    changes incompatibly. ``user_id`` orders delivery: events of one user reach each handler in commit order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]

    event_id: EventId
    occurred_at: AwareDatetime
    correlation_id: CorrelationId
    causation_id: EventId | None = None
    user_id: UserId | None = None
    version: int = 1

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:  # noqa: ANN401  (pydantic's hook signature)
        super().__pydantic_init_subclass__(**kwargs)
        name = cls.__dict__.get("event_type")
        if name is None:
            return  # an abstract intermediate class
        if name in _REGISTRY and _REGISTRY[name].__qualname__ != cls.__qualname__:
            first = _REGISTRY[name].__qualname__
            msg = f"event type {name!r} is declared twice: {first} and {cls.__qualname__}"
            raise TypeError(msg)
        _REGISTRY[name] = cls

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented idiom for computed fields
    @property
    def type(self) -> str:
        """The stable name of this event's type, written into its JSON."""
        return self.event_type

    @property
    def route(self) -> str:
        """What handlers subscribe to: the event type, or a finer name for events that carry a kind."""
        return self.event_type

    def to_json(self) -> str:
        """Serialize to JSON, including ``type`` so :func:`parse_event` can rebuild the right class."""
        return self.model_dump_json()


def event_class(event_type: str) -> type[Event]:
    """Return the class registered for ``event_type``.

    Raises:
        KeyError: no event class declares that type.
    """
    return _REGISTRY[event_type]


def known_event_types() -> tuple[str, ...]:
    """Every event type declared so far (by the modules imported), sorted: for content that names them."""
    return tuple(sorted(_REGISTRY))


def parse_event(raw: str | bytes) -> Event:
    """Rebuild an event from :meth:`Event.to_json` output.

    Raises:
        ValueError: the JSON is malformed, names an unknown type, or fails the schema.
    """
    data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        msg = "an event's JSON must be an object with a string 'type'"
        raise ValueError(msg)  # noqa: TRY004  (malformed input, like every other failure here)
    name = data.pop("type")
    try:
        cls = _REGISTRY[name]
    except KeyError:
        msg = f"unknown event type {name!r}"
        raise ValueError(msg) from None
    return cls.model_validate(data)


class EventStamp(TypedDict):
    """The metadata every new event needs; unpack it into the event's constructor."""

    event_id: EventId
    occurred_at: datetime
    correlation_id: CorrelationId
    causation_id: EventId | None


class EventStamper:
    """Fills an event's id, time, correlation and causation from the ports and the current scope.

    Outside any correlation scope a new correlation id is minted: the event starts its own chain.
    """

    def __init__(self, clock: Clock, ids: IdGenerator) -> None:
        self._clock = clock
        self._ids = ids

    def stamp(self) -> EventStamp:
        """Return fresh metadata for one event."""
        scope = current_scope()
        return EventStamp(
            event_id=EventId(self._ids.new_id()),
            occurred_at=self._clock.now(),
            correlation_id=scope.correlation_id if scope else CorrelationId(self._ids.new_id()),
            causation_id=scope.causation_id if scope else None,
        )


class EventProcessingFailed(Event):
    """A handler failed every attempt on an event; the event is now a dead letter.

    Carries the original event's id and the error, so operators and alerting can act on it.
    """

    event_type: ClassVar[str] = "bus.event_processing_failed"

    dead_letter_id: str
    failed_event_id: EventId
    failed_event_type: str
    handler: str
    attempts: int
    error: str
