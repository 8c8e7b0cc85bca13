"""``GET /api/v1/users/{id}/besitos`` requests per second beside a constant route in the same kind of app.

Both apps come from ``create_app`` with the same options (the same middleware stack, exception handlers and
``before_request`` hook): the product's own, from the container, and one whose only route returns a small
constant JSON. Both are driven in-process through their ASGI interface by httpx, with the same number of
requests in flight; no socket, no server.
"""

import asyncio
import itertools
import time
from dataclasses import dataclass
from typing import Final

import httpx
from litestar import Litestar, get

from benchmarks.product import BALANCE, ProductStorage, prepare_users, product
from benchmarks.stats import clean_heap
from yabot_adapters.http import API_PREFIX, create_app
from yabot_core.kernel import UserId

USERS: Final = tuple(UserId(n) for n in range(1001, 1021))
"""The registered users the besitos requests cycle over."""

CONSTANT_PATH: Final = "/bench/constant"
CONSTANT_BODY: Final = {"user_id": 1001, "balance": BALANCE, "held": 0}

RATE_LIMIT: Final = 0
"""``YABOT_API_RATE_LIMIT_PER_MINUTE`` for both apps: off. Litestar's limiter keeps a timestamp per request
of the last minute and re-encodes them all on every request, so at thousands of requests a run it would
measure its own list growing, in both apps alike."""


@dataclass(frozen=True, slots=True)
class ApiRun:
    """One run's requests per second: the besitos route's and the constant route's."""

    besitos: float
    constant: float


@get(CONSTANT_PATH)
async def constant() -> dict[str, int]:
    """The reference handler: a small constant JSON."""
    return CONSTANT_BODY


def _client(app: Litestar) -> httpx.AsyncClient:
    """An httpx client calling ``app`` in-process, through its ASGI interface."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types ASGI more narrowly
    return httpx.AsyncClient(transport=transport, base_url="http://bench")


async def requests_per_second(app: Litestar, paths: list[str], *, concurrency: int) -> float:
    """GET every path of ``paths`` through ``app``, ``concurrency`` at a time; requests/s.

    Raises:
        AssertionError: a response other than 200.
    """
    async with _client(app) as client:
        pending = iter(paths)
        statuses: list[int] = []

        async def worker() -> None:
            for path in pending:
                response = await client.get(path)
                statuses.append(response.status_code)

        clean_heap()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    refused = [status for status in statuses if status != 200]
    if refused:
        msg = f"{len(refused)} of {len(paths)} requests failed, e.g. status {refused[0]}"
        raise AssertionError(msg)
    return len(paths) / seconds


async def _check_bodies(app: Litestar) -> None:
    """The besitos route answers what the prepared ledger says (a wrong figure is worthless)."""
    async with _client(app) as client:
        body = (await client.get(f"{API_PREFIX}/users/{USERS[0]}/besitos")).json()
    if body.get("balance") != BALANCE:
        msg = f"the besitos route answered {body!r}, not a balance of {BALANCE}"
        raise AssertionError(msg)


async def besitos(storage: ProductStorage, *, requests: int, concurrency: int) -> ApiRun:
    """Both apps, constant first, over a fresh product on ``storage``."""
    async with product(storage, api_rate_limit_per_minute=RATE_LIMIT) as container:
        await prepare_users(container, USERS)
        ours = container.http_app()
        reference = create_app(
            route_handlers=[constant], rate_limit_per_minute=container.settings().api_rate_limit
        )
        await _check_bodies(ours)
        users = itertools.cycle(USERS)
        besitos_paths = [f"{API_PREFIX}/users/{next(users)}/besitos" for _ in range(requests)]
        bare = await requests_per_second(
            reference, [f"{API_PREFIX}{CONSTANT_PATH}"] * requests, concurrency=concurrency
        )
        served = await requests_per_second(ours, besitos_paths, concurrency=concurrency)
    return ApiRun(besitos=served, constant=bare)
