"""The ranking: besitos earned per fan, this week and all time, counted from the wallet's credits."""

from collections.abc import Sequence
from datetime import tzinfo
from typing import Final

from yabot_core.kernel import Clock, InvalidInputError, Transactions, UserId, checked_user_id
from yabot_core.ranking.models import ALL_TIME, Board, Placed, Score, Table, week_of
from yabot_core.ranking.ports import RankingQueries, RankingUnitOfWork
from yabot_core.wallet import BesitosAwarded

MAX_LEADERS: Final = 50


class Ranking:
    """Counts every credit once (keyed by its ledger entry), and answers who leads and where a fan stands.

    The wallet is read through its events: each ``BesitosAwarded`` adds its amount to the fan's all-time
    score and to the score of the ISO week it occurred in (in ``zone``). A redelivered event finds its entry
    counted and changes nothing. A hidden fan keeps being counted (so coming back shows the true figure) but
    appears in no table and has no place.
    """

    def __init__(
        self,
        transactions: Transactions[RankingUnitOfWork],
        queries: RankingQueries,
        *,
        clock: Clock,
        zone: tzinfo,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._clock = clock
        self.zone = zone

    async def on_besitos_awarded(self, event: BesitosAwarded) -> None:
        """Count a credit, once per ledger entry."""
        periods = (ALL_TIME, week_of(event.occurred_at, self.zone))

        async def work(uow: RankingUnitOfWork) -> None:
            if await uow.ranking.counted(event.entry_id):
                return
            await uow.ranking.count(event.entry_id, event.user_id, event.amount, periods)

        await self._transactions.run(work)

    async def board(self, user_id: UserId, *, limit: int = 10) -> Board:
        """This week's and the all-time leaders, and the fan's own place in each.

        Raises:
            InvalidInputError: a bad user id, or ``limit`` outside 1..50.
        """
        user = checked_user_id(user_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LEADERS:
            raise InvalidInputError(f"El número de puestos debe estar entre 1 y {MAX_LEADERS}.")
        week = week_of(self._clock.now(), self.zone)
        return Board(
            week=await self._table(week, user, limit),
            all_time=await self._table(ALL_TIME, user, limit),
            hidden=await self._queries.is_hidden(user),
        )

    async def set_hidden(self, user_id: UserId, *, hidden: bool) -> None:
        """Leave the fan out of every table (``hidden``), or put them back; asking twice changes nothing."""
        user = checked_user_id(user_id)

        async def work(uow: RankingUnitOfWork) -> None:
            if await uow.ranking.is_hidden(user) != hidden:
                await uow.ranking.set_hidden(user, hidden=hidden)

        await self._transactions.run(work)

    async def _table(self, period: str, user: UserId, limit: int) -> Table:
        leaders = placed(await self._queries.top(period, limit))
        return Table(period=period, leaders=leaders, me=await self._queries.standing(period, user))


def placed(scores: Sequence[Score]) -> tuple[Placed, ...]:
    """Number a best-first list of scores, ties sharing a place (10, 10, 7 → 1, 1, 3)."""
    rows: list[Placed] = []
    for position, score in enumerate(scores):
        place = rows[-1].place if rows and rows[-1].earned == score.earned else position + 1
        rows.append(Placed(place=place, user_id=score.user_id, earned=score.earned))
    return tuple(rows)
