"""/ranking's reads with 10,000 fans: boards/s via the Ranking service, beside the same SQL in raw sqlite3.

One unit of work counts a credit for each of :data:`FANS` fans (one in ten hidden) in this week and all time;
then each of ``reads`` fans asks for their board: the top ten of both periods and their own place in each
(the product's four indexed reads and the hidden check). The reference runs the same statements with the
sqlite3 module on the same file, one fan after another, with no service, no pydantic and no thread hop.
"""

import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC
from typing import Final

from benchmarks.backends import sqlite
from benchmarks.stats import clean_heap
from yabot_adapters.sqlite import SqliteStorage
from yabot_adapters.sqlite import ranking as sql
from yabot_adapters.storage import StorageUnitOfWork
from yabot_adapters.system import SystemClock
from yabot_core.kernel import UserId
from yabot_core.ranking import ALL_TIME, Ranking, week_of

FANS: Final = 10_000
HIDDEN_EVERY: Final = 10


@dataclass(frozen=True, slots=True)
class RankingRun:
    """Boards per second through the service, and the same reads in raw sqlite3."""

    boards: float
    raw: float


async def boards(*, reads: int) -> RankingRun:
    """Seed :data:`FANS` scores on a fresh SQLite FULL file, then time ``reads`` boards each way."""
    clock = SystemClock()
    chance = random.Random(7)
    async with sqlite("FULL")(clock) as storage:
        week = week_of(clock.now(), UTC)

        async def seed(uow: StorageUnitOfWork) -> None:
            for fan in range(1, FANS + 1):
                user = UserId(fan)
                await uow.ranking.count(f"bench-{fan}", user, chance.randint(1, 5000), (ALL_TIME, week))
                if fan % HIDDEN_EVERY == 0:
                    await uow.ranking.set_hidden(user, hidden=True)

        await storage.transactions.run(seed)
        ranking = Ranking(storage.transactions, storage.ranking_queries, clock=clock, zone=UTC)
        fans = [UserId(chance.randint(1, FANS)) for _ in range(reads)]
        clean_heap()
        started = time.perf_counter()
        for fan in fans:
            await ranking.board(fan)
        served = reads / (time.perf_counter() - started)
        assert isinstance(storage, SqliteStorage)
        raw = _raw(str(storage.path), fans, week)
    return RankingRun(boards=served, raw=raw)


def _raw(path: str, fans: list[UserId], week: str) -> float:
    with sqlite3.connect(path) as conn:
        clean_heap()
        started = time.perf_counter()
        for fan in fans:
            conn.execute(sql._HIDDEN, (fan,)).fetchone()
            for period in (week, ALL_TIME):
                conn.execute(sql._TOP, (period, 10)).fetchall()
                mine = conn.execute(sql._MINE, (period, fan)).fetchone()
                if mine is not None and not mine[1]:
                    conn.execute(sql._ABOVE, (period, mine[0])).fetchone()
        return len(fans) / (time.perf_counter() - started)
