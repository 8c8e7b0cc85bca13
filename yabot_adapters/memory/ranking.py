"""The ranking's scores in memory: the ranking module's slice."""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.ranking import Placed, RankingQueries, RankingRepository, Score


@dataclass
class RankingState:
    """Committed scores by period then user, the counted entry ids, and the hidden fans."""

    scores: dict[str, dict[UserId, int]] = field(default_factory=dict)
    counted: set[str] = field(default_factory=set)
    hidden: set[UserId] = field(default_factory=set)


class InMemoryRankingRepository(RankingRepository):
    """The ranking of one in-memory unit of work: writes are staged."""

    def __init__(self, state: RankingState) -> None:
        self._state = state
        self._added: dict[tuple[str, UserId], int] = {}
        self._counted: set[str] = set()
        self._hidden: dict[UserId, bool] = {}

    async def counted(self, entry_id: str) -> bool:
        return entry_id in self._counted or entry_id in self._state.counted

    async def count(self, entry_id: str, user_id: UserId, amount: int, periods: Sequence[str]) -> None:
        if await self.counted(entry_id):
            raise ConcurrentUpdateError(detail={"entry_id": entry_id})
        self._counted.add(entry_id)
        for period in periods:
            self._added[period, user_id] = self._added.get((period, user_id), 0) + amount

    async def is_hidden(self, user_id: UserId) -> bool:
        return self._hidden.get(user_id, user_id in self._state.hidden)

    async def set_hidden(self, user_id: UserId, *, hidden: bool) -> None:
        self._hidden[user_id] = hidden

    def apply(self) -> None:
        for (period, user_id), amount in self._added.items():
            scores = self._state.scores.setdefault(period, {})
            scores[user_id] = scores.get(user_id, 0) + amount
        self._state.counted |= self._counted
        for user_id, hidden in self._hidden.items():
            if hidden:
                self._state.hidden.add(user_id)
            else:
                self._state.hidden.discard(user_id)


class InMemoryRankingQueries(RankingQueries):
    """Scores from committed state (a plain pass over the period: the in-memory double, not the product)."""

    def __init__(self, state: RankingState) -> None:
        self._state = state

    async def top(self, period: str, limit: int) -> Sequence[Score]:
        visible = self._visible(period)
        best = heapq.nsmallest(limit, visible.items(), key=lambda pair: (-pair[1], pair[0]))
        return [Score(user_id=user, earned=earned) for user, earned in best]

    async def standing(self, period: str, user_id: UserId) -> Placed | None:
        visible = self._visible(period)
        earned = visible.get(user_id)
        if earned is None:
            return None
        above = sum(1 for other in visible.values() if other > earned)
        return Placed(place=above + 1, user_id=user_id, earned=earned)

    async def is_hidden(self, user_id: UserId) -> bool:
        return user_id in self._state.hidden

    def _visible(self, period: str) -> dict[UserId, int]:
        scores = self._state.scores.get(period, {})
        return {user: earned for user, earned in scores.items() if user not in self._state.hidden and earned}


SLICE = MemorySlice(
    name="ranking",
    state=RankingState,
    repository=InMemoryRankingRepository,
    queries={"ranking_queries": InMemoryRankingQueries},
)
