"""The EventBus port and the retry policy every adapter of it applies."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from yabot_core.kernel.events import Event

E = TypeVar("E", bound=Event)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failing handler is tried before its event becomes a dead letter.

    Delays grow exponentially: ``first_delay``, ``first_delay * multiplier``, ... capped at ``max_delay``.
    """

    attempts: int = 3
    first_delay: float = 0.2
    multiplier: float = 2.0
    max_delay: float = 5.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            msg = "a retry policy needs at least one attempt"
            raise ValueError(msg)
        if self.first_delay < 0 or self.multiplier < 1 or self.max_delay < self.first_delay:
            msg = "retry delays must be non-negative and non-decreasing"
            raise ValueError(msg)

    def delays(self) -> list[float]:
        """Return the pauses between consecutive attempts (one fewer than ``attempts``)."""
        return [min(self.first_delay * self.multiplier**n, self.max_delay) for n in range(self.attempts - 1)]


class EventBus(Protocol):
    """Routes committed events to the handlers subscribed to their type.

    Events enter the bus only through the outbox (``UnitOfWork.record``), so a committed change never loses
    its event. Delivery contract, for every adapter:
    - at least once: a handler may see an event again after a crash, so handlers are idempotent (the event id
      makes a good idempotency key);
    - per-user order: one user's events reach each handler in commit order;
    - a handler that raises is retried per the bus's :class:`RetryPolicy`; after the last attempt the event
      becomes a dead letter for that handler and ``EventProcessingFailed`` is published;
    - handlers run inside a correlation scope carrying the event's correlation id, with the event as the
      cause, so the events they record continue the chain.
    """

    def subscribe(self, event_type: type[E], handler: Callable[[E], Awaitable[None]], *, name: str) -> None:
        """Deliver every event of exactly ``event_type`` to ``handler``.

        ``name`` identifies the handler durably (deliveries and dead letters remember it) and must be unique.
        """
        ...
