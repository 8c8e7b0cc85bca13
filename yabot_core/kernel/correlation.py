"""The correlation context: which request or update caused the work running now.

A Telegram update or HTTP request opens a scope; the event bus opens one per delivered event with the
event's correlation id and the event itself as the cause. Events created inside a scope inherit both, so one
correlation id follows a user's action through every event it causes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from yabot_core.kernel.ids import CorrelationId, EventId


@dataclass(frozen=True, slots=True)
class CorrelationScope:
    """The correlation id of the current work and the event that caused it, if any."""

    correlation_id: CorrelationId
    causation_id: EventId | None = None


_current: ContextVar[CorrelationScope | None] = ContextVar("yabot_correlation", default=None)


def current_scope() -> CorrelationScope | None:
    """Return the scope of the running work, or ``None`` outside any scope."""
    return _current.get()


@contextmanager
def correlation_scope(
    correlation_id: CorrelationId, causation_id: EventId | None = None
) -> Iterator[CorrelationScope]:
    """Run the body with ``correlation_id`` (and the causing event) as the current scope."""
    scope = CorrelationScope(correlation_id, causation_id)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
