"""Retries that cost nothing until they are needed: the first try runs bare, tenacity takes over after it."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tenacity import AsyncRetrying, retry_if_exception

T = TypeVar("T")


async def retry_after_first(
    call: Callable[[], Awaitable[T]],
    *,
    retryable: Callable[[BaseException], bool],
    **tenacity: Any,  # noqa: ANN401  (stop, wait, sleep: tenacity's own keyword arguments)
) -> T:
    """Await ``call()``; if it raises what ``retryable`` accepts, retry it with tenacity (``stop``, ``wait``).

    tenacity's per-call state forms reference cycles. Built for every statement or unit of work of a busy
    process, it feeds the cyclic garbage collector for nothing, so it is built only after a first failure.
    ``stop`` counts the retries after that first try. The last error propagates unchanged.
    """
    try:
        return await call()
    except Exception as exc:
        if not retryable(exc):
            raise
    async for attempt in AsyncRetrying(retry=retry_if_exception(retryable), reraise=True, **tenacity):
        with attempt:
            return await call()
    raise AssertionError  # pragma: no cover  (tenacity returns the attempt's value or raises)
