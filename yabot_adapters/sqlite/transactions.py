"""SQLite units of work: each runs in a savepoint of the writer's current batch, with its events."""

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from tenacity import stop_after_attempt

from yabot_adapters.retrying import retry_after_first
from yabot_adapters.sqlite.dead_letters import SqliteDeadLetterRepository
from yabot_adapters.sqlite.outbox import write_events
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.users import SqliteUserRepository
from yabot_adapters.sqlite.wallets import SqliteWalletRepository
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.kernel import Clock, ConcurrentUpdateError, Event, Transactions

T = TypeVar("T")

CONFLICT_ATTEMPTS: Final = 3
"""Tries of a work that meets a concurrent update. Writers are serialized, so in SQLite only a work that
posts from stale data meets one, and it meets it again: a few tries are plenty."""


class SqliteUnitOfWork(StorageUnitOfWork):
    """Every repository over the writer connection, for the duration of one work."""

    def __init__(self, session: Session) -> None:
        self._wallets = SqliteWalletRepository(session)
        self._users = SqliteUserRepository(session)
        self._dead_letters = SqliteDeadLetterRepository(session)
        self.events: list[Event] = []

    @property
    def wallets(self) -> SqliteWalletRepository:
        """Wallets, ledger entries and holds."""
        return self._wallets

    @property
    def users(self) -> SqliteUserRepository:
        """Registered users."""
        return self._users

    @property
    def dead_letters(self) -> SqliteDeadLetterRepository:
        """Dead letters."""
        return self._dead_letters

    def record(self, event: Event) -> None:
        """Stage an event; it reaches the outbox only if the work returns."""
        self.events.append(event)


class SqliteTransactions(Transactions[SqliteUnitOfWork]):
    """Runs each work in the writer's next batch; see :class:`GroupCommitWriter` for how batches commit."""

    def __init__(self, writer: GroupCommitWriter, clock: Clock) -> None:
        self._writer = writer
        self._clock = clock

    async def run(self, work: Callable[[SqliteUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` and commit its writes and events (see ``Transactions`` for the contract)."""

        async def body(conn: sqlite3.Connection) -> tuple[T, bool]:
            session = Session(conn)
            uow = SqliteUnitOfWork(session)
            try:
                result = await work(uow)
                if uow.events:
                    with session.use():
                        write_events(conn, uow.events, self._clock.now())
            finally:
                session.end()
            return result, bool(uow.events)

        return await retry_after_first(
            lambda: self._writer.submit(body),
            retryable=lambda exc: isinstance(exc, ConcurrentUpdateError),
            stop=stop_after_attempt(CONFLICT_ATTEMPTS - 1),
        )
