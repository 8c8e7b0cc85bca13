"""``GET /api/v1/users/{id}/besitos`` requests per second beside a constant route in the same kind of app.

Every app comes from ``create_app`` with the same options (the same middleware stack, exception handlers and
``before_request`` hook): the product's own, from the container, called with an API key and with a fan's
Mini App ``initData``; the same routes behind an authenticator that checks nothing (what authentication
costs is the difference); and one whose only route returns a small constant JSON, with no credentials. All
are driven in-process through their ASGI interface by httpx, with the same number of requests in flight; no
socket, no server.
"""

import asyncio
import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import httpx
from litestar import Litestar, get

from benchmarks.product import BALANCE, ProductStorage, prepare_users, product
from benchmarks.stats import clean_heap
from yabot_adapters.http import API_PREFIX, create_app
from yabot_adapters.http.auth import Authenticator, KeyHolder, Principal
from yabot_adapters.http.auth.testing import sign_init_data
from yabot_app.modules.apikeys import ApiKeysModule
from yabot_core.apikeys import USERS_READ, ApiKey
from yabot_core.audit import Actor
from yabot_core.kernel import UserId

USERS: Final = tuple(UserId(n) for n in range(1001, 1021))
"""The registered users the besitos requests cycle over."""

CONSTANT_PATH: Final = "/bench/constant"
CONSTANT_BODY: Final = {"user_id": 1001, "balance": BALANCE, "held": 0}

RATE_LIMIT: Final = 0
"""``YABOT_API_RATE_LIMIT_PER_MINUTE`` for both apps: off. Litestar's limiter keeps a timestamp per request
of the last minute and re-encodes them all on every request, so at thousands of requests a run it would
measure its own list growing, in both apps alike."""


BOT_TOKEN: Final = "123456:bench-token-for-initdata"  # noqa: S105  (the benchmark's own, checks initData)


@dataclass(frozen=True, slots=True)
class ApiRun:
    """One run's requests per second: the besitos route with a key, as a fan, unchecked; the constant."""

    besitos: float
    fan: float
    unchecked: float
    constant: float


class _Unchecked(Authenticator):
    """Lets every request in as one key holder, reading and hashing nothing: the route without auth's cost."""

    def __init__(self, key: ApiKey) -> None:
        self._holder = KeyHolder(key)

    async def authenticate(self, authorization: str | None) -> Principal:  # noqa: ARG002
        return self._holder


@get(CONSTANT_PATH)
async def constant() -> dict[str, int]:
    """The reference handler: a small constant JSON."""
    return CONSTANT_BODY


def _client(app: Litestar) -> httpx.AsyncClient:
    """An httpx client calling ``app`` in-process, through its ASGI interface."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types ASGI more narrowly
    return httpx.AsyncClient(transport=transport, base_url="http://bench")


async def requests_per_second(
    app: Litestar, paths: list[str], *, concurrency: int, authorization: str | None = None
) -> float:
    """GET every path of ``paths`` through ``app``, ``concurrency`` at a time; requests/s.

    Raises:
        AssertionError: a response other than 200.
    """
    async with _client(app) as client:
        if authorization is not None:
            client.headers["Authorization"] = authorization
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


async def _check_bodies(app: Litestar, authorization: str) -> None:
    """The besitos route answers what the prepared ledger says (a wrong figure is worthless)."""
    async with _client(app) as client:
        path = f"{API_PREFIX}/users/{USERS[0]}/besitos"
        body = (await client.get(path, headers={"Authorization": authorization})).json()
    if body.get("balance") != BALANCE:
        msg = f"the besitos route answered {body!r}, not a balance of {BALANCE}"
        raise AssertionError(msg)


async def besitos(storage: ProductStorage, *, requests: int, concurrency: int) -> ApiRun:
    """Every app, constant first, over a fresh product on ``storage``."""
    async with product(storage, api_rate_limit_per_minute=RATE_LIMIT, bot_token=BOT_TOKEN) as container:
        await prepare_users(container, USERS)
        keys = container.modules().get(ApiKeysModule).keys
        issued = await keys.create("bench", [USERS_READ], actor=Actor.operator("bench"))
        key = f"Bearer {issued.token}"
        ours = container.http_app()  # the token checks initData; the bot itself never starts here
        limit = container.settings().api_rate_limit
        unchecked = create_app(
            authenticator=_Unchecked(issued.key),
            route_handlers=container.modules().api(),
            rate_limit_per_minute=limit,
        )
        reference = create_app(authenticator=_Unchecked(issued.key), rate_limit_per_minute=limit)
        reference.register(constant)  # outside the API's router: no credentials asked
        await _check_bodies(ours, key)
        users = itertools.cycle(USERS)
        besitos_paths = [f"{API_PREFIX}/users/{next(users)}/besitos" for _ in range(requests)]
        fan = f"tma {sign_init_data(USERS[0], datetime.now(UTC), bot_token=BOT_TOKEN)}"
        fan_paths = [f"{API_PREFIX}/users/{USERS[0]}/besitos"] * requests
        bare = await requests_per_second(reference, [CONSTANT_PATH] * requests, concurrency=concurrency)
        open_ = await requests_per_second(unchecked, besitos_paths, concurrency=concurrency)
        served = await requests_per_second(ours, besitos_paths, concurrency=concurrency, authorization=key)
        as_fan = await requests_per_second(ours, fan_paths, concurrency=concurrency, authorization=fan)
    return ApiRun(besitos=served, fan=as_fan, unchecked=open_, constant=bare)
