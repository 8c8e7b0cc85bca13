"""Mongo units of work: one client session, one multi-document transaction, the outbox written in it."""

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Final, TypeVar

from pymongo import ReadPreference
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern
from tenacity import stop_after_attempt, wait_random_exponential

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.errors import driver_errors
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.outbox import write_records
from yabot_adapters.mongo.users import MongoDeadLetterRepository, MongoUserRepository
from yabot_adapters.mongo.wallets import MongoWalletRepository
from yabot_adapters.retrying import retry_after_first
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.kernel import Clock, ConcurrentUpdateError, Event, Transactions

T = TypeVar("T")

ATTEMPTS: Final = 5
"""Runs of one unit of work when it keeps meeting ``ConcurrentUpdateError``; then the error propagates."""

_inside: ContextVar[bool] = ContextVar("yabot_mongo_tx", default=False)


class MongoUnitOfWork(StorageUnitOfWork):
    """Every repository bound to one transaction's session; recorded events are written when the work ends."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._database = database
        self._session = session
        self._wallets = MongoWalletRepository(database, session)
        self._users = MongoUserRepository(database, session)
        self._dead_letters = MongoDeadLetterRepository(database, session)
        self.events: list[Event] = []

    @property
    def wallets(self) -> MongoWalletRepository:
        """Wallets, ledger entries and holds."""
        return self._wallets

    @property
    def users(self) -> MongoUserRepository:
        """Registered users."""
        return self._users

    @property
    def dead_letters(self) -> MongoDeadLetterRepository:
        """Dead letters."""
        return self._dead_letters

    def record(self, event: Event) -> None:
        """Stage an event for the outbox."""
        self.events.append(event)


class MongoTransactions(Transactions[MongoUnitOfWork]):
    """Runs each unit of work in a MongoDB transaction (snapshot reads, majority commit, on the primary).

    PyMongo's ``with_transaction`` retries transient transaction errors and unknown commit results; a
    ``ConcurrentUpdateError`` raised by the work (a conditional write that found the data moved) runs it again
    from scratch, a few times, after jittered exponential pauses.
    """

    def __init__(self, database: AsyncDatabase[Document], clock: Clock, gate: Gate) -> None:
        self._database = database
        self._clock = clock
        self._gate = gate
        self._listeners: list[Callable[[], None]] = []

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that recorded events."""
        self._listeners.append(listener)

    async def run(self, work: Callable[[MongoUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction, retried as the class says (see ``Transactions``)."""
        if _inside.get():
            msg = "units of work do not nest"
            raise RuntimeError(msg)
        token = _inside.set(True)
        try:
            result, recorded = await self._attempts(work)
        finally:
            _inside.reset(token)
        if recorded:
            for listener in self._listeners:
                listener()
        return result

    async def _attempts(self, work: Callable[[MongoUnitOfWork], Awaitable[T]]) -> tuple[T, bool]:
        return await retry_after_first(
            lambda: self._attempt(work),
            retryable=lambda exc: isinstance(exc, ConcurrentUpdateError),
            stop=stop_after_attempt(ATTEMPTS - 1),
            wait=wait_random_exponential(multiplier=0.01, max=0.5),
        )

    async def _attempt(self, work: Callable[[MongoUnitOfWork], Awaitable[T]]) -> tuple[T, bool]:
        async def transaction(session: AsyncClientSession) -> tuple[T, bool]:
            uow = MongoUnitOfWork(self._database, session)
            result = await work(uow)
            if uow.events:
                await write_records(self._database, session, uow.events, self._clock.now())
            return result, bool(uow.events)

        async with self._gate.admit():
            with driver_errors():
                async with self._database.client.start_session() as session:
                    return await session.with_transaction(
                        transaction,
                        read_concern=ReadConcern("snapshot"),
                        write_concern=WriteConcern("majority"),
                        read_preference=ReadPreference.PRIMARY,
                    )
