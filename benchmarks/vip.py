"""The "is this fan VIP?" check per second: it is asked on hot paths (story gates, VIP-only items).

10,000 fans, 1,000 of them VIP (granted through the product's own service), asked about in turn. Three
figures per storage: the module's ``VipStatus`` as the product builds it (each fan's subscription kept for a
moment), the same check keeping nothing (one keyed read per question), and, on SQLite, raw sqlite3 reading
the same row by primary key from the same file (the engine it stands on).
"""

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from benchmarks.product import ProductStorage, product
from benchmarks.stats import clean_heap
from yabot_app.modules.subscriptions import SubscriptionsModule
from yabot_core.audit import Actor
from yabot_core.kernel import UserId
from yabot_core.subscriptions import VipCheck, VipStatus

FANS: Final = 10_000
VIPS: Final = 1_000
BENCH: Final = Actor.operator("bench")


@dataclass(frozen=True, slots=True)
class VipRun:
    """Checks per second: as the product asks, keeping nothing, and raw sqlite3 (``None`` on memory)."""

    kept: float
    unkept: float
    raw: float | None


async def _per_second(check: VipStatus, fans: list[UserId]) -> float:
    clean_heap()
    started = time.perf_counter()
    found = 0
    for fan in fans:
        found += await check.is_vip(fan)
    seconds = time.perf_counter() - started
    if found != VIPS * len(fans) // FANS:
        msg = f"{found} VIP answers, not {VIPS * len(fans) // FANS}"
        raise AssertionError(msg)
    return len(fans) / seconds


def _raw_per_second(path: str, fans: list[UserId]) -> float:
    with sqlite3.connect(path) as conn:
        clean_heap()
        started = time.perf_counter()
        for fan in fans:
            conn.execute("SELECT vip_until FROM subscriptions WHERE user_id = ?", (fan,)).fetchone()
        return len(fans) / (time.perf_counter() - started)


async def checks(storage: ProductStorage, *, rounds: int) -> VipRun:
    """Grant :data:`VIPS` fans, then ask about all :data:`FANS` ``rounds`` times, each way."""
    async with product(storage) as container:
        service = container.modules().get(SubscriptionsModule).service
        for start in range(1, VIPS + 1, 100):
            await asyncio.gather(
                *(
                    service.grant(UserId(n), days=30, actor=BENCH, idempotency_key=f"bench:{n}")
                    for n in range(start, start + 100)
                )
            )
        fans = [UserId(n) for n in range(1, FANS + 1)] * rounds
        kept = await _per_second(container.modules().get(SubscriptionsModule).vip, fans)
        bare = VipCheck(container.storage().subscription_queries, container.clock(), ttl=timedelta(0))
        unkept = await _per_second(bare, fans)
        raw = None
        if storage != "memory":
            raw = _raw_per_second(str(container.settings().sqlite_path), fans)
    return VipRun(kept=kept, unkept=unkept, raw=raw)
