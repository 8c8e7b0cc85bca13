"""How a module keeps its data in the Mongo backend: its collections and indexes, a repository, queries.

A unit of work binds every slice's repository to one client session, so all of them commit in one
multi-document transaction; queries run outside transactions, each call one operation through the gate.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pymongo import IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate

RepositoryFactory = Callable[[AsyncDatabase[Document], AsyncClientSession], object]
"""Makes a unit of work's repository, every operation of it in the session's transaction."""

QueriesFactory = Callable[[AsyncDatabase[Document], Gate], object]
"""Makes a read-only view of committed data, each call admitted by the backend's gate."""


@dataclass(frozen=True, slots=True)
class MongoSlice:
    """One module's part of the Mongo backend.

    ``name`` is the repository's attribute on a unit of work (``uow.wallets``); ``repository`` makes it for
    one transaction; ``queries`` names the backend's read-only views (``storage.wallet_queries``) and how to
    make each. ``collections`` and ``indexes`` are the module's schema: ``open`` creates whatever is missing.
    """

    name: str
    repository: RepositoryFactory
    queries: Mapping[str, QueriesFactory] = field(default_factory=dict)
    collections: tuple[str, ...] = ()
    indexes: Mapping[str, Sequence[IndexModel]] = field(default_factory=dict)
