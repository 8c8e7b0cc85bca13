"""The unit of work: one atomic commit of state changes and the events they cause.

A module declares the repositories it needs as a Protocol that extends :class:`UnitOfWork`; each storage
adapter provides one unit-of-work class holding every repository, so a single transaction can span modules'
stores (a purchase debits the wallet and fills the mochila at once).
"""

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from yabot_core.kernel.events import Event

T = TypeVar("T")
U_co = TypeVar("U_co", covariant=True)


class UnitOfWork(Protocol):
    """What every transaction offers: staging events for the outbox."""

    def record(self, event: Event) -> None:
        """Stage ``event``: it is written to the outbox in the same commit, or dropped if the work fails."""
        ...


class Transactions(Protocol[U_co]):
    """Runs work atomically against one storage backend.

    Contract:
    - ``work`` receives a fresh unit of work; everything it writes, and every event it records, commits
      together when it returns, or not at all when it raises (the exception propagates unchanged).
    - ``work`` may run more than once: a transient conflict (another transaction touched the same record)
      discards the attempt and runs it again from scratch. It must have no effects outside the unit of work.
    - When ``run`` returns, the commit is durable and its events are in the outbox.
    - Runs do not nest: calling ``run`` from inside ``work`` raises ``RuntimeError``.
    - Storage that stays unreachable after the adapter's own retries raises ``UnavailableError``.
    """

    async def run(self, work: Callable[[U_co], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction and return its result."""
        ...
