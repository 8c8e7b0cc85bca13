"""Mongo units of work: one client session, one multi-document transaction, the deliveries written in it."""

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from pymongo import ReadPreference
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern
from tenacity import stop_after_attempt, wait_random_exponential

from yabot_adapters.mongo.bus import write_deliveries
from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.retrying import retry_after_first
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.units import Committed, SlicedUnitOfWork, Units
from yabot_core.kernel import Clock, ConcurrentUpdateError, Transactions

T = TypeVar("T")

ATTEMPTS: Final = 5
"""Runs of one unit of work when it keeps meeting ``ConcurrentUpdateError``; then the error propagates."""


class MongoTransactions(Transactions[StorageUnitOfWork]):
    """Runs each unit of work in a MongoDB transaction (snapshot reads, majority commit, on the primary).

    Every registered slice's repository is bound to the transaction's session; at the end of the work its
    events are routed and written as deliveries in the same transaction. PyMongo's ``with_transaction``
    retries transient transaction errors and unknown commit results; a ``ConcurrentUpdateError`` raised by
    the work (a conditional write that found the data moved) runs it again from scratch, a few times, after
    jittered exponential pauses.
    """

    def __init__(
        self,
        database: AsyncDatabase[Document],
        slices: tuple[MongoSlice, ...],
        clock: Clock,
        gate: Gate,
        units: Units,
    ) -> None:
        self._database = database
        self._slices = slices
        self._clock = clock
        self._gate = gate
        self._units = units

    async def run(self, work: Callable[[StorageUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction, retried as the class says (see ``Transactions``)."""
        result, held = await self._units.guard.run(lambda: self._attempts(work))
        self._units.listeners.announce(held)
        return result

    async def _attempts(self, work: Callable[[StorageUnitOfWork], Awaitable[T]]) -> tuple[T, Committed]:
        return await retry_after_first(
            lambda: self._attempt(work),
            retryable=lambda exc: isinstance(exc, ConcurrentUpdateError),
            stop=stop_after_attempt(ATTEMPTS - 1),
            wait=wait_random_exponential(multiplier=0.01, max=0.5),
        )

    async def _attempt(self, work: Callable[[StorageUnitOfWork], Awaitable[T]]) -> tuple[T, Committed]:
        async def transaction(session: AsyncClientSession) -> tuple[T, Committed]:
            uow = SlicedUnitOfWork(
                {piece.name: piece.repository(self._database, session) for piece in self._slices}
            )
            result = await work(uow)  # it serves every module's Protocol (see SlicedUnitOfWork)
            routed = self._units.router.route(uow.events)
            if routed:
                await write_deliveries(self._database, session, routed, self._clock.now())
            return result, uow.held(routed)

        async with self._gate.operation(), self._database.client.start_session() as session:
            return await session.with_transaction(
                transaction,
                read_concern=ReadConcern("snapshot"),
                write_concern=WriteConcern("majority"),
                read_preference=ReadPreference.PRIMARY,
            )
