"""SQLite units of work: each runs in a savepoint of the writer's current batch, with its routed events."""

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, TypeVar

from tenacity import stop_after_attempt

from yabot_adapters.retrying import retry_after_first
from yabot_adapters.sqlite.bus import write_events
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import SqliteSlice
from yabot_adapters.sqlite.writer import GroupCommitWriter
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.units import Committed, Router, SlicedUnitOfWork
from yabot_core.kernel import Clock, ConcurrentUpdateError, Transactions

T = TypeVar("T")

CONFLICT_ATTEMPTS: Final = 3
"""Tries of a work that meets a concurrent update. Writers are serialized, so in SQLite only a work that
posts from stale data meets one, and it meets it again: a few tries are plenty."""


class SqliteTransactions(Transactions[StorageUnitOfWork]):
    """Runs each work in the writer's next batch; see :class:`GroupCommitWriter` for how batches commit.

    Units of work do not nest (the writer refuses a write from inside a write), and the writer tells the
    commit listeners what each batch held (see :meth:`SlicedUnitOfWork.held`).
    """

    def __init__(
        self, writer: GroupCommitWriter, clock: Clock, slices: Sequence[SqliteSlice], router: Router
    ) -> None:
        self._writer = writer
        self._clock = clock
        self._slices = tuple(slices)
        self._router = router

    async def run(self, work: Callable[[StorageUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` and commit its writes and events (see ``Transactions`` for the contract)."""

        async def body(conn: sqlite3.Connection) -> tuple[T, Committed]:
            session = Session(conn)
            uow = SlicedUnitOfWork({piece.name: piece.repository(session) for piece in self._slices})
            try:
                result = await work(uow)  # it serves every module's Protocol (see SlicedUnitOfWork)
                routed = self._router.route(uow.events)
                if routed:
                    with session.use():
                        write_events(conn, routed, self._clock.now())
            finally:
                session.end()
            return result, uow.held(routed)

        return await retry_after_first(
            lambda: self._writer.submit(body),
            retryable=lambda exc: isinstance(exc, ConcurrentUpdateError),
            stop=stop_after_attempt(CONFLICT_ATTEMPTS - 1),
        )
