"""Rate limits of a real `yabot run` (uvicorn) count the connecting address unless a proxy is trusted."""

from pathlib import Path

import httpx
import pytest

from tests.e2e.process import Served, yabot_env

pytestmark = pytest.mark.slow

LIMIT = 3
BESITOS = "/api/v1/users/7/besitos"  # no credentials: 401 until the limit, then 429


async def statuses(served: Served, forwarded_for: list[str]) -> list[int]:
    """GET the besitos route once per address, each claiming to be forwarded for that address."""
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as client:
        return [
            (await client.get(BESITOS, headers={"X-Forwarded-For": address})).status_code
            for address in forwarded_for
        ]


async def serve(tmp_path: Path, **settings: str) -> Served:
    served = Served(
        yabot_env(tmp_path, storage="memory", api_rate_limit_per_minute=str(LIMIT), **settings), tmp_path
    )
    await served.start()
    return served


async def test_forwarded_headers_from_an_untrusted_peer_change_nothing(tmp_path: Path) -> None:
    """With no trusted proxy, a caller on loopback is limited however it varies ``X-Forwarded-For``."""
    served = await serve(tmp_path)
    try:
        seen = await statuses(served, [f"203.0.113.{n}" for n in range(2 * LIMIT)])
    finally:
        await served.stop()

    assert seen == [401] * LIMIT + [429] * LIMIT


async def test_each_client_of_a_trusted_proxy_counts_alone(tmp_path: Path) -> None:
    """With loopback trusted as a proxy, each forwarded address has its own quota, and is held to it."""
    served = await serve(tmp_path, api_trusted_proxies="127.0.0.1")
    try:
        distinct = await statuses(served, [f"203.0.113.{n}" for n in range(2 * LIMIT)])
        repeated = await statuses(served, ["198.51.100.9"] * (LIMIT + 1))
    finally:
        await served.stop()

    assert distinct == [401] * (2 * LIMIT)
    assert repeated == [401] * LIMIT + [429]
