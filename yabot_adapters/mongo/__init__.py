"""MongoDB storage: every storage port over a replica set, through PyMongo's async API."""

from yabot_adapters.mongo.backend import MongoStorage
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.transactions import MongoTransactions

__all__ = ["MongoSlice", "MongoStorage", "MongoTransactions"]
