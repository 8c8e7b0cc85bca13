"""Group commit: one writer task runs every queued write in its own savepoint and commits them together."""

import asyncio
import contextlib
import contextvars
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from yabot_adapters.sqlite.connection import BUSY_PATIENCE, DETAIL, retry_busy, unavailable
from yabot_adapters.units import NOTHING, CommitListener, CommitListeners, Committed
from yabot_core.kernel import UnavailableError

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BATCH: Final = 256
"""The most writes one commit carries: enough to amortize an fsync, few enough to keep a batch short."""

WRITER_STOPPED: Final = "El almacenamiento SQLite no acepta escrituras: su tarea de escritura se ha detenido."
"""Why writes (and the readiness probe) fail after the writer task died; a restart is needed."""

Body = Callable[[sqlite3.Connection], Coroutine[Any, Any, tuple[T, Committed]]]
"""A write: runs on the writer connection inside its savepoint; returns its result and what it holds for the
commit listeners (``NOTHING`` unless it is a unit of work)."""

_inside: ContextVar[bool] = ContextVar("yabot_sqlite_write", default=False)


@dataclass(eq=False)
class _Job:
    body: Body[Any]
    context: contextvars.Context
    future: asyncio.Future[Any]
    result: Any = None
    held: Committed = NOTHING


@dataclass(eq=False)
class _Batch:
    jobs: list[_Job]
    done: list[_Job] = field(default_factory=list)


class GroupCommitWriter:
    """Serializes every write of one process through one connection, one ``BEGIN IMMEDIATE`` per batch.

    Writes queue up while the previous batch commits, so under load many share one fsync; alone, a write
    commits at once (nothing waits for a batch to fill). A write that raises is rolled back to its savepoint
    and fails alone, at once; the others of its batch still commit. Nothing is reported done before
    ``COMMIT`` returns; a failed ``COMMIT`` fails the whole batch with ``UnavailableError``.
    """

    def __init__(self, *, busy_patience: float = BUSY_PATIENCE) -> None:
        self._patience = busy_patience
        self._conn: sqlite3.Connection | None = None
        self._queue: deque[_Job] = deque()
        self._wake = asyncio.Event()
        self._listeners = CommitListeners()
        self._task: asyncio.Task[None] | None = None
        self._batch: _Batch | None = None
        self._closing = False

    @property
    def conn(self) -> sqlite3.Connection:
        """The writer connection; only the writer task and the works it runs may use it."""
        if self._conn is None:
            msg = "the SQLite writer is not started"
            raise RuntimeError(msg)
        return self._conn

    @property
    def running(self) -> bool:
        """Whether writes are accepted: started, not stopping, and the writer task alive."""
        return not self._closing and self._task is not None and not self._task.done()

    def ensure_running(self) -> None:
        """Return if writes are accepted; raise ``UnavailableError`` otherwise, saying why in Spanish."""
        if self._task is not None and self._task.done():  # it ended although nobody called ``stop``
            raise UnavailableError(WRITER_STOPPED, detail=DETAIL)
        if not self.running:  # not started yet, or stopping or stopped
            raise UnavailableError(detail=DETAIL)

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Tell ``listener`` what each batch held, all its writes together, once it committed."""
        self._listeners.add(listener)

    def start(self, conn: sqlite3.Connection) -> None:
        """Start the writer task on the running loop, writing through ``conn``."""
        self._conn = conn
        self._closing = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._write_forever(), name="yabot-sqlite-writer")
        self._task.add_done_callback(self._ended)

    async def stop(self) -> None:
        """Refuse new writes, let the queued ones commit, then end the writer task."""
        self._closing = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            await asyncio.wait([task])  # which does not raise how the task ended: ``_ended`` logged that
        self._conn = None

    async def submit(self, body: Body[T]) -> T:
        """Run ``body`` in the next batch, in a copy of the caller's context, and wait for the commit.

        Raises:
            RuntimeError: called from inside a write, which would wait for its own batch forever.
            UnavailableError: the storage is closed, the file stayed locked, or the commit failed.
        """
        if _inside.get():
            msg = "units of work do not nest"
            raise RuntimeError(msg)
        self.ensure_running()
        context = contextvars.copy_context()
        context.run(_enter_write)
        job = _Job(body, context, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._wake.set()
        result: T = await job.future
        return result

    # --- the writer task --------------------------------------------------------------------------------

    async def _write_forever(self) -> None:
        try:
            while True:
                if not self._queue:
                    if self._closing:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                jobs = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
                self._batch = _Batch([job for job in jobs if not job.future.done()])  # skip cancelled callers
                if self._batch.jobs:
                    await self._write(self._batch)
                self._batch = None
        except BaseException as exc:
            # The loop is going away (cancelled) or a bug escaped: leave no caller waiting forever.
            self._abandon(exc)
            raise

    async def _write(self, batch: _Batch) -> None:
        try:
            await retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"), patience=self._patience)
        except UnavailableError as exc:
            _fail(batch.jobs, exc)
            return
        before = self.conn.total_changes
        cancelled = False
        try:
            for job in batch.jobs:
                await self._attempt(job, batch)
            if not batch.done:
                self.conn.execute("ROLLBACK")
                return
            if self.conn.total_changes == before:
                self.conn.execute("COMMIT")  # nothing was written: no fsync, no thread hop
            else:
                cancelled = await self._commit_in_thread()
        except sqlite3.Error as exc:
            self._rollback()
            _fail(batch.jobs, exc)
            return
        held = NOTHING
        for job in batch.done:
            held |= job.held
            if not job.future.done():
                job.future.set_result(job.result)
        self._listeners.announce(held)  # once per batch, whatever its writes held together
        if cancelled:
            raise asyncio.CancelledError

    async def _attempt(self, job: _Job, batch: _Batch) -> None:
        """Run one write inside its savepoint; a failure undoes only that write and fails only its caller."""
        self.conn.execute("SAVEPOINT work")
        try:
            job.result, job.held = await asyncio.create_task(job.body(self.conn), context=job.context)
        except (Exception, asyncio.CancelledError) as exc:
            # A driver error here (the savepoint is gone) escapes to ``_write`` and fails the whole batch.
            self.conn.execute("ROLLBACK TO work")
            self.conn.execute("RELEASE work")
            writer = asyncio.current_task()
            if writer is not None and writer.cancelling():
                raise  # the writer itself is being cancelled, not just this write
            _fail([job], exc)
        else:
            self.conn.execute("RELEASE work")
            batch.done.append(job)

    async def _commit_in_thread(self) -> bool:
        """COMMIT off the loop's thread (it fsyncs); return whether the writer was cancelled meanwhile.

        A cancellation waits for the COMMIT to finish: its callers must learn whether their writes happened.
        """
        commit = asyncio.ensure_future(asyncio.to_thread(self.conn.execute, "COMMIT"))
        cancelled = False
        while not commit.done():
            try:
                await asyncio.shield(commit)
            except asyncio.CancelledError:
                cancelled = True
        commit.result()
        return cancelled

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self._conn is not None and self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def _abandon(self, exc: BaseException) -> None:
        self._closing = True
        self._rollback()
        error = UnavailableError(WRITER_STOPPED, detail=DETAIL)
        error.__cause__ = exc
        _fail([*(self._batch.jobs if self._batch else ()), *self._queue], error)
        self._queue.clear()
        self._batch = None

    def _ended(self, task: asyncio.Task[None]) -> None:
        """Log a writer task that ended other than through ``stop``, and fail what it left queued."""
        exc = asyncio.CancelledError() if task.cancelled() else task.exception()
        if exc is None:
            return  # ``stop`` ended it
        if isinstance(exc, asyncio.CancelledError):
            log.warning("the SQLite writer task was cancelled: this process can no longer write")
        else:
            log.error("the SQLite writer task failed: this process can no longer write", exc_info=exc)
        if self._queue:  # cancelled before it ever ran, so its own clean-up did not run either
            self._abandon(exc)


def _enter_write() -> None:
    _inside.set(True)


def _fail(jobs: list[_Job], exc: BaseException) -> None:
    """Fail every job not already settled: its own exception unchanged, a driver error as unavailability."""
    pending = [job for job in jobs if not job.future.done()]
    if isinstance(exc, asyncio.CancelledError):
        for job in pending:
            job.future.cancel()
    elif isinstance(exc, sqlite3.Error):
        if not pending:
            return
        reported = unavailable(exc)  # logs the driver's text once for the whole batch
        for job in pending:
            error = UnavailableError(reported.message, detail=reported.detail)  # one per caller
            error.__cause__ = exc
            job.future.set_exception(error)
    else:
        for job in pending:
            job.future.set_exception(exc)
