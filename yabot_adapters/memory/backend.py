"""The in-memory storage backend: complete and atomic, for unit tests and ``--ephemeral`` runs."""

from collections.abc import Callable

from yabot_adapters.memory.queries import (
    InMemoryDeadLetterQueries,
    InMemoryOutboxStore,
    InMemoryUserQueries,
    InMemoryWalletQueries,
)
from yabot_adapters.memory.state import MemoryState
from yabot_adapters.memory.transactions import InMemoryTransactions
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import Clock


class InMemoryStorage(StorageBackend):
    """Every port of the core, kept in this process's memory (gone when it exits)."""

    def __init__(self, clock: Clock) -> None:
        self.state = MemoryState()
        self._transactions = InMemoryTransactions(self.state, clock)
        self._wallet_queries = InMemoryWalletQueries(self.state)
        self._user_queries = InMemoryUserQueries(self.state)
        self._outbox = InMemoryOutboxStore(self.state)
        self._dead_letter_queries = InMemoryDeadLetterQueries(self.state)

    @property
    def transactions(self) -> InMemoryTransactions:
        """Atomic units of work."""
        return self._transactions

    @property
    def wallet_queries(self) -> InMemoryWalletQueries:
        """Committed balances and ledgers."""
        return self._wallet_queries

    @property
    def user_queries(self) -> InMemoryUserQueries:
        """Committed users."""
        return self._user_queries

    @property
    def outbox(self) -> InMemoryOutboxStore:
        """Committed events awaiting delivery."""
        return self._outbox

    @property
    def dead_letter_queries(self) -> InMemoryDeadLetterQueries:
        """Dead letters."""
        return self._dead_letter_queries

    async def open(self) -> None:
        """Nothing to prepare."""

    async def close(self) -> None:
        """Nothing to release."""

    async def ping(self) -> None:
        """Memory always answers."""

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that recorded events."""
        self._transactions.add_commit_listener(listener)
