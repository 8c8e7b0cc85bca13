"""The ranking's storage on every backend: credits counted once, weeks apart from all time, hidden fans.

The credits come from the real wallet: each test credits and debits besitos, then hands the wallet's own
``BesitosAwarded`` events to the ranking, as the bus does (redelivering some, as the bus may).
"""

import asyncio
from datetime import UTC, timedelta
from typing import Final

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, recorded_events
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock, SequentialIds, UserId
from yabot_core.ranking import ALL_TIME, Placed, Ranking, week_of
from yabot_core.wallet import ADMIN_DEDUCTION, ADMIN_GRANT, BesitosAwarded, WalletService

CARLA: Final = UserId(1003)
DANI: Final = UserId(1004)


class Bench:
    """A wallet and a ranking over one backend, and the credits not yet handed to the ranking."""

    def __init__(self, storage: StorageBackend, clock: FakeClock) -> None:
        self.storage = storage
        self.clock = clock
        ids = SequentialIds("r")
        self.wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
        self.ranking = Ranking(storage.transactions, storage.ranking_queries, clock=clock, zone=UTC)
        self._handed: set[str] = set()
        self._keys = 0

    async def earn(self, user: UserId, amount: int) -> None:
        self._keys += 1
        await self.wallet.credit(user, amount, ADMIN_GRANT, idempotency_key=f"earn-{self._keys}")

    async def spend(self, user: UserId, amount: int) -> None:
        self._keys += 1
        await self.wallet.debit(user, amount, ADMIN_DEDUCTION, idempotency_key=f"spend-{self._keys}")

    async def deliver(self, *, twice: bool = False) -> list[BesitosAwarded]:
        """Hand the ranking every credit committed since the last delivery (each twice, if asked)."""
        events = [e for e in await recorded_events(self.storage) if isinstance(e, BesitosAwarded)]
        fresh = [event for event in events if event.entry_id not in self._handed]
        self._handed.update(event.entry_id for event in fresh)
        for event in fresh:
            await self.ranking.on_besitos_awarded(event)
            if twice:
                await self.ranking.on_besitos_awarded(event)
        return fresh

    async def top(self, period: str = ALL_TIME, limit: int = 10) -> list[tuple[UserId, int]]:
        scores = await self.storage.ranking_queries.top(period, limit)
        return [(score.user_id, score.earned) for score in scores]


class RankingContract(ContractBase):
    """What every backend's ranking slice must do."""

    async def test_credits_count_once_and_spending_lowers_nothing(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Earned is the sum of credits: a redelivered credit counts once, a debit does not subtract."""
        bench = Bench(storage, clock)
        await bench.earn(ALICE, 30)
        await bench.earn(BOB, 50)
        await bench.earn(ALICE, 5)
        await bench.spend(ALICE, 20)
        await bench.deliver(twice=True)
        assert await bench.top() == [(BOB, 50), (ALICE, 35)]
        assert await storage.ranking_queries.standing(ALL_TIME, ALICE) == Placed(
            place=2, user_id=ALICE, earned=35
        )

    async def test_this_week_and_all_time_are_counted_apart(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """A credit counts for all time and for the week it happened in; a new week starts from nothing."""
        bench = Bench(storage, clock)
        await bench.earn(ALICE, 40)
        await bench.deliver()
        first_week = week_of(clock.now(), UTC)
        clock.advance(timedelta(days=7))
        await bench.earn(BOB, 10)
        await bench.deliver()
        board = await bench.ranking.board(BOB)
        assert board.week.period == week_of(clock.now(), UTC) != first_week
        assert [(row.place, row.user_id, row.earned) for row in board.week.leaders] == [(1, BOB, 10)]
        assert [(row.place, row.user_id) for row in board.all_time.leaders] == [(1, ALICE), (2, BOB)]
        assert board.all_time.me == Placed(place=2, user_id=BOB, earned=10)
        assert await bench.top(first_week) == [(ALICE, 40)]

    async def test_ties_share_a_place_and_the_top_is_cut_at_its_limit(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """20, 20, 7, 3: places 1, 1, 3, 4; the top two are the tied ones, by user id."""
        bench = Bench(storage, clock)
        for user, amount in ((DANI, 20), (BOB, 20), (ALICE, 3), (CARLA, 7)):
            await bench.earn(user, amount)
        await bench.deliver()
        board = await bench.ranking.board(ALICE, limit=3)
        assert [(row.place, row.user_id) for row in board.week.leaders] == [(1, BOB), (1, DANI), (3, CARLA)]
        assert board.week.me == Placed(place=4, user_id=ALICE, earned=3)
        assert (await bench.ranking.board(CARLA)).week.me == Placed(place=3, user_id=CARLA, earned=7)

    async def test_a_hidden_fan_is_in_no_table_and_comes_back_with_every_besito(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Hiding takes a fan out of every period and places; credits still count; showing brings it all."""
        bench = Bench(storage, clock)
        await bench.earn(ALICE, 50)
        await bench.earn(BOB, 10)
        await bench.deliver()
        await bench.ranking.set_hidden(ALICE, hidden=True)
        await bench.ranking.set_hidden(ALICE, hidden=True)  # asking twice changes nothing
        await bench.earn(ALICE, 5)
        await bench.deliver()
        board = await bench.ranking.board(ALICE)
        assert board.hidden
        assert board.week.me is None
        assert board.all_time.me is None
        assert await bench.top() == [(BOB, 10)]
        assert (await bench.ranking.board(BOB)).all_time.me == Placed(place=1, user_id=BOB, earned=10)
        await bench.ranking.set_hidden(ALICE, hidden=False)
        assert await bench.top() == [(ALICE, 55), (BOB, 10)]
        assert not (await bench.ranking.board(ALICE)).hidden

    async def test_simultaneous_deliveries_of_one_credit_count_it_once(
        self, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Twenty handlers racing on the same credit add its besitos once."""
        bench = Bench(storage, clock)
        await bench.earn(ALICE, 9)
        (event,) = await bench.deliver()
        await asyncio.gather(*(bench.ranking.on_besitos_awarded(event) for _ in range(20)))
        assert await bench.top() == [(ALICE, 9)]
        assert await bench.top(week_of(clock.now(), UTC)) == [(ALICE, 9)]
