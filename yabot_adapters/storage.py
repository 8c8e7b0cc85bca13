"""What every storage backend offers the application: one object per backend serving all the core's ports."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

from yabot_core.gamification import WalletQueries, WalletRepository
from yabot_core.kernel import DeadLetterQueries, DeadLetterRepository, Event, OutboxStore, Transactions
from yabot_core.users import UserQueries, UserRepository


class StorageUnitOfWork(Protocol):
    """A unit of work over every repository a backend holds; it satisfies each module's unit of work."""

    @property
    def wallets(self) -> WalletRepository:
        """Wallets, ledger entries and holds."""
        ...

    @property
    def users(self) -> UserRepository:
        """Registered users."""
        ...

    @property
    def dead_letters(self) -> DeadLetterRepository:
        """Events handlers gave up on."""
        ...

    def record(self, event: Event) -> None:
        """Stage an event for the outbox."""
        ...


class StorageBackend(Protocol):
    """A storage technology serving the core: transactions, read models and the outbox.

    ``open`` prepares the schema (tables, collections, indexes: the migration) and must be called first;
    ``close`` waits for transactions in flight, then releases connections.
    """

    @property
    def transactions(self) -> Transactions[StorageUnitOfWork]:
        """Atomic units of work."""
        ...

    @property
    def wallet_queries(self) -> WalletQueries:
        """Committed balances and ledgers."""
        ...

    @property
    def user_queries(self) -> UserQueries:
        """Committed users."""
        ...

    @property
    def outbox(self) -> OutboxStore:
        """Committed events awaiting delivery."""
        ...

    @property
    def dead_letter_queries(self) -> DeadLetterQueries:
        """Dead letters, for operators."""
        ...

    async def open(self) -> None:
        """Connect and bring the schema up to date."""
        ...

    async def close(self) -> None:
        """Finish transactions in flight and disconnect."""
        ...

    async def ping(self) -> None:
        """Return if the storage answers; raise ``UnavailableError`` otherwise."""
        ...

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (in this process) after every commit that recorded events."""
        ...


B = TypeVar("B", bound=StorageBackend)


@asynccontextmanager
async def opened(storage: B) -> AsyncIterator[B]:
    """Open ``storage``, yield it, and close it however the block ends (commands, tests, benchmarks)."""
    await storage.open()
    try:
        yield storage
    finally:
        await storage.close()
