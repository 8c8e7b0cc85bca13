"""The gate every Mongo storage operation passes: counted, bounded in time, perhaps one at a time."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar

import pymongo

from yabot_adapters.mongo.errors import driver_errors
from yabot_core.kernel import UnavailableError

_held: ContextVar[frozenset[int]] = ContextVar("yabot_mongo_gates", default=frozenset())
"""Ids of the gates the running task is already inside (a query called from within a unit of work)."""


class Gate:
    """Admits storage operations, tracks those in flight so ``close`` can wait for them.

    Each operation gets ``timeout`` seconds (PyMongo's client-side operation timeout, which also ends its
    retries of a transaction; without one PyMongo retries a transaction for two minutes). Waiting to be
    admitted does not count.

    ``exclusive`` runs them one at a time in this process. That is for MongoDB wire-protocol servers that
    cannot isolate concurrent transactions, such as the nx-27017 test server (it runs every session on one
    SQLite connection, as nested savepoints); it is never needed with real MongoDB, which isolates them.
    """

    def __init__(self, *, exclusive: bool, timeout: float | None) -> None:
        self._timeout = timeout
        self._lock = asyncio.Lock() if exclusive else None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    def ensure_open(self) -> None:
        """Raise ``UnavailableError`` if the storage is closing or closed."""
        if self._closed:
            raise UnavailableError("El almacenamiento MongoDB está cerrado.")

    def deadline(self) -> AbstractContextManager[object]:
        """Bound the PyMongo calls inside the block by ``timeout`` (nothing, if it is ``None``)."""
        return nullcontext() if self._timeout is None else pymongo.timeout(self._timeout)

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Run the block as one storage operation.

        Raises:
            UnavailableError: the storage is closing or closed.
        """
        held = _held.get()
        if id(self) in held:
            yield  # already inside this gate (re-entered from a unit of work): waiting would deadlock
            return
        self.ensure_open()
        self._in_flight += 1
        self._idle.clear()
        token = _held.set(held | {id(self)})
        try:
            async with self._lock or nullcontext():
                with self.deadline():
                    yield
        finally:
            _held.reset(token)
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    @asynccontextmanager
    async def operation(self) -> AsyncIterator[None]:
        """Run the block as one storage operation (see :meth:`admit`), its driver errors translated.

        Raises:
            UnavailableError: the storage is closing or closed, unreachable, or timed out.
            StorageRejectedError: MongoDB refused the operation for good.
        """
        async with self.admit():
            with driver_errors():
                yield

    async def close(self) -> None:
        """Admit nothing new, then wait until the operations in flight have finished."""
        self._closed = True
        await self._idle.wait()
