"""The MongoDB storage backend: every storage port over one database of a replica set."""

from datetime import UTC
from typing import Any, Final, Self

import pymongo
from bson.codec_options import CodecOptions
from pymongo import AsyncMongoClient, ReadPreference
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.errors import driver_errors
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import check_server, collections, migrate
from yabot_adapters.mongo.slice import MongoSlice
from yabot_adapters.mongo.slices import SLICES
from yabot_adapters.mongo.transactions import MongoTransactions
from yabot_adapters.units import CommitListener, Units
from yabot_core.kernel import Clock, EventRouter, UnavailableError

DEFAULT_TIMEOUT: Final = 30.0
"""Seconds one storage operation may take, as long as PyMongo's default wait for a server."""
OPEN_TIMEOUT: Final = 10.0
"""How long start-up waits for the server: an operator at the console wants to hear of a wrong URL soon."""


class MongoStorage:
    """Every port of the core in one MongoDB database; correct with any number of processes sharing it.

    Each registered slice (:mod:`yabot_adapters.mongo.slices`) adds its collections and indexes to the
    schema, its repository to units of work and its read-only views as attributes (``storage.outbox``,
    ``storage.wallet_queries``...).

    MongoDB must run as a replica set (or behind mongos): ``open`` refuses a standalone server. Nothing that
    matters for correctness lives in this process's memory.

    ``exclusive=True`` runs every storage operation of this instance one at a time. It is for MongoDB
    wire-protocol servers that cannot isolate concurrent transactions, such as the nx-27017 test server; it
    is never needed with real MongoDB. It also skips the replica-set check, since such servers describe
    themselves as standalones.

    Every operation (a whole transaction counts as one) must finish within ``timeout`` seconds, PyMongo's
    own retries included, or fail with ``UnavailableError``; ``None`` leaves it to the client's settings.
    """

    def __init__(
        self,
        client: AsyncMongoClient[Document],
        database: str,
        clock: Clock,
        *,
        exclusive: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        owns_client: bool = False,
        slices: tuple[MongoSlice, ...] = SLICES,
    ) -> None:
        self._client = client
        self._owns_client = owns_client
        self._exclusive = exclusive
        self._slices = slices
        # Whatever the client's defaults: aware UTC datetimes, and outside transactions, reads of majority-
        # committed data and majority-acknowledged writes (a relay must never deliver, or lease, what a
        # failover could roll back). Inside a transaction its own concerns apply.
        self._database: AsyncDatabase[Document] = client.get_database(
            database,
            codec_options=CodecOptions(tz_aware=True, tzinfo=UTC),
            read_preference=ReadPreference.PRIMARY,
            read_concern=ReadConcern("majority"),
            write_concern=WriteConcern("majority"),
        )
        self._gate = Gate(exclusive=exclusive, timeout=timeout)
        self._units = Units("mongo")
        self._transactions = MongoTransactions(self._database, slices, clock, self._gate, self._units)
        self._views: dict[str, object] = {
            name: make(self._database, self._gate) for piece in slices for name, make in piece.queries.items()
        }

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (a read-only view of any module)
        try:
            return self.__dict__["_views"][name]
        except KeyError:
            msg = f"the Mongo backend has no view named {name!r} (is its slice registered?)"
            raise AttributeError(msg) from None

    @classmethod
    def from_url(
        cls,
        url: str,
        database: str,
        clock: Clock,
        *,
        exclusive: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> Self:
        """Connect to ``url`` with a client of its own, which :meth:`close` closes."""
        client: AsyncMongoClient[Document] = AsyncMongoClient(url, tz_aware=True)
        return cls(client, database, clock, exclusive=exclusive, timeout=timeout, owns_client=True)

    @property
    def client(self) -> AsyncMongoClient[Document]:
        """The driver's client (for operations tooling and tests)."""
        return self._client

    @property
    def database(self) -> AsyncDatabase[Document]:
        """The database holding every collection of this backend."""
        return self._database

    @property
    def gate(self) -> Gate:
        """What admits each storage operation (backups go through it like any other reader)."""
        return self._gate

    @property
    def collections(self) -> tuple[str, ...]:
        """Every collection the registered slices declare, in registry order."""
        return collections(self._slices)

    @property
    def transactions(self) -> MongoTransactions:
        """Atomic units of work."""
        return self._transactions

    async def open(self) -> None:
        """Check the server can run transactions, then create missing collections and indexes.

        Raises:
            UnavailableError: the server is unreachable, or a standalone (unless ``exclusive``).
        """
        async with self._gate.admit():
            try:
                with pymongo.timeout(OPEN_TIMEOUT), driver_errors():
                    await check_server(self._database, exclusive=self._exclusive)
            except UnavailableError as exc:
                if isinstance(exc.__cause__, ConnectionFailure):
                    hosts = ", ".join(
                        f"{host}:{port}"
                        for host, port in self._client.topology_description.server_descriptions()
                    )
                    msg = (
                        f"No se pudo conectar con MongoDB en {hosts}: "
                        "¿está en marcha y es correcta YABOT_MONGO_URL?"
                    )
                    raise UnavailableError(msg) from exc.__cause__
                raise
            with driver_errors():
                await migrate(self._database, self._slices)

    async def close(self) -> None:
        """Refuse new operations, wait for those in flight, then close the client if this backend made it."""
        await self._gate.close()
        if self._owns_client:
            await self._client.close()

    async def ping(self) -> None:
        """Return if MongoDB answers ``ping``; raise ``UnavailableError`` otherwise."""
        # Not through the gate: a ping touches no data, and a health check must not queue behind work.
        self._gate.ensure_open()
        with driver_errors(), self._gate.deadline():
            await self._client.admin.command("ping")

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Tell ``listener`` (in this process) what each commit held: the handlers owed, a timer scheduled."""
        self._units.listeners.add(listener)

    def route_events(self, router: EventRouter) -> None:
        """Owe each event committed from now on to the handlers ``router`` names (the bus's routes)."""
        self._units.router.install(router)
