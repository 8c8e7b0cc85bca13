"""MongoDB storage: every storage port over a replica set, through PyMongo's async API."""

from yabot_adapters.mongo.backend import MongoStorage
from yabot_adapters.mongo.transactions import MongoTransactions, MongoUnitOfWork

__all__ = ["MongoStorage", "MongoTransactions", "MongoUnitOfWork"]
