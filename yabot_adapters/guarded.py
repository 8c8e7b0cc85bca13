"""Storage behind a circuit breaker, measured: what fans and the API reach the storage through.

:class:`GuardedStorage` wraps any backend. Units of work, ``ping`` and the read models (``*_queries``) go
through one :class:`~yabot_core.kernel.CircuitBreaker` and are timed in ``yabot_storage_operation_seconds``.
After repeated ``UnavailableError``s (the backend's own retries exhausted) the breaker opens: for 30 s every
call fails at once with ``CircuitOpenError``, which the bot answers with Lucien's "inténtelo en un momento"
and the API with a 503, instead of each request waiting on a dead server. The bus's outbox and leases and
the ticker's claims are not guarded: they retry on their own loops and must find the storage the moment it
is back. Everything else passes through unchanged (``inner`` is the backend itself).
"""

import inspect
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar, cast

from yabot_adapters.metrics import (
    EVENTS_PUBLISHED,
    STORAGE_FAILURES,
    STORAGE_LATENCY,
    breaker_changed,
    timed,
)
from yabot_adapters.storage import StorageBackend, StorageUnitOfWork
from yabot_core.kernel import CircuitBreaker, CircuitOpenError, Transactions, UnavailableError

T = TypeVar("T")
B = TypeVar("B")

STORAGE_BREAKER = "almacenamiento"
"""The storage breaker's name (in ``yabot status``, the metrics and the fans' apology)."""


def storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says the storage is away (not a refusal, not our own breaker)."""
    return isinstance(exc, UnavailableError) and not isinstance(exc, CircuitOpenError)


async def through(breaker: CircuitBreaker, call: Callable[[], Awaitable[T]], operation: str) -> T:
    """Await ``call()`` through ``breaker``, timed as ``operation``; the breaker's series follow it."""
    before = breaker.status()
    try:
        with timed(STORAGE_LATENCY, operation):
            return await breaker.call(call, counts=storage_failure)
    except UnavailableError:
        STORAGE_FAILURES.labels(operation).inc()
        raise
    finally:
        breaker_changed(before, breaker.status())


class GuardedTransactions(Transactions[StorageUnitOfWork]):
    """A backend's transactions through the storage breaker; counts the events each commit published."""

    def __init__(self, inner: Transactions[StorageUnitOfWork], breaker: CircuitBreaker) -> None:
        self._inner = inner
        self._breaker = breaker

    async def run(self, work: Callable[[StorageUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction (see :class:`~yabot_core.kernel.Transactions`)."""
        committed: list[StorageUnitOfWork] = []

        async def kept(uow: StorageUnitOfWork) -> T:
            result = await work(uow)
            committed[:] = [uow]  # a retried attempt replaces the discarded one
            return result

        result = await through(self._breaker, lambda: self._inner.run(kept), "transaction")
        for event in getattr(committed[0], "events", ()) if committed else ():
            EVENTS_PUBLISHED.labels(event.event_type).inc()
        return result


class _GuardedQueries:
    """A read model whose coroutine methods go through the breaker; anything else passes through."""

    def __init__(self, storage: object, breaker: CircuitBreaker, name: str) -> None:
        self._storage = storage
        self._breaker = breaker
        self._name = name

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (whatever the read model offers)
        attribute = getattr(getattr(self._storage, self._name), name)  # the backend's view of the moment
        if not inspect.iscoroutinefunction(attribute):
            return attribute
        breaker, operation = self._breaker, f"{self._name}.{name}"

        @wraps(attribute)
        async def guarded(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            return await through(breaker, lambda: attribute(*args, **kwargs), operation)

        return guarded


class GuardedStorage:
    """``inner`` behind the storage breaker (see the module's docstring); otherwise the backend itself."""

    def __init__(self, inner: StorageBackend, breaker: CircuitBreaker) -> None:
        self.inner = inner
        self.breaker = breaker
        self._transactions = GuardedTransactions(inner.transactions, breaker)
        self._queries: dict[str, _GuardedQueries] = {}

    @property
    def transactions(self) -> GuardedTransactions:
        """Atomic units of work, through the breaker."""
        return self._transactions

    async def ping(self) -> None:
        """Return if the storage answers (through the breaker: an open one answers for it)."""
        await through(self.breaker, self.inner.ping, "ping")

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (every other port of the backend)
        attribute = getattr(self.inner, name)
        if not name.endswith("_queries"):
            return attribute
        if name not in self._queries:
            self._queries[name] = _GuardedQueries(self.inner, self.breaker, name)
        return self._queries[name]


def unguarded(storage: B) -> B:
    """The backend itself, whether or not ``storage`` is guarded (for code that asks which technology)."""
    return cast("B", storage.inner) if isinstance(storage, GuardedStorage) else storage
