"""In-memory storage: a real, complete backend of every storage port, living in one process."""

from yabot_adapters.memory.backend import InMemoryStorage
from yabot_adapters.memory.transactions import InMemoryTransactions, InMemoryUnitOfWork

__all__ = ["InMemoryStorage", "InMemoryTransactions", "InMemoryUnitOfWork"]
