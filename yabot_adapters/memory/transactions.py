"""In-memory units of work: serialized by a lock, staged in overlays, applied all at once on success."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from yabot_adapters.memory.bus import BusState
from yabot_adapters.memory.slice import MemorySlice, StagedRepository
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.units import Committed, SlicedUnitOfWork, Units
from yabot_core.kernel import Clock, Transactions, UnavailableError

T = TypeVar("T")


class InMemoryTransactions(Transactions[StorageUnitOfWork]):
    """Runs units of work one at a time; each commits atomically or not at all."""

    def __init__(
        self,
        *,
        slices: tuple[MemorySlice, ...],
        states: Mapping[str, Any],
        bus: BusState,
        clock: Clock,
        units: Units,
    ) -> None:
        self._slices = slices
        self._states = states
        self._bus = bus
        self._clock = clock
        self._units = units
        self._lock = asyncio.Lock()
        self.outage: str | None = None
        """Set to a reason to fail every unit of work as a storage gone away would (fault drills)."""

    async def run(self, work: Callable[[StorageUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` alone, then commit its staged writes and events (see ``Transactions``)."""
        if self.outage is not None:
            raise UnavailableError(self.outage)

        async def alone() -> tuple[T, Committed]:
            async with self._lock:
                repositories: dict[str, StagedRepository] = {
                    piece.name: piece.repository(self._states[piece.name]) for piece in self._slices
                }
                uow = SlicedUnitOfWork(repositories)
                result = await work(uow)  # it serves every module's Protocol (see SlicedUnitOfWork)
                routed = self._units.router.route(uow.events)
                # Commit: no await from here on, so nothing interleaves with half-applied state.
                for repository in repositories.values():
                    repository.apply()
                self._bus.write(routed, self._clock.now())
                return result, uow.held(routed)

        result, held = await self._units.guard.run(alone)
        self._units.listeners.announce(held)
        return result
