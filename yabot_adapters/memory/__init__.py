"""In-memory storage: a real, complete backend of every storage port, living in one process."""

from yabot_adapters.memory.backend import InMemoryStorage
from yabot_adapters.memory.slice import MemorySlice
from yabot_adapters.memory.transactions import InMemoryTransactions

__all__ = ["InMemoryStorage", "InMemoryTransactions", "MemorySlice"]
