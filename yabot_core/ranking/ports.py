"""What the ranking needs from storage: scores counted once per ledger entry, and indexed reads.

Every backend keeps the scores sorted for the reads (an index on period, visibility and besitos earned),
so a table of the top fans and one fan's place cost an index range, not a pass over every fan.
"""

from collections.abc import Sequence
from typing import Protocol

from yabot_core.kernel import UnitOfWork, UserId
from yabot_core.ranking.models import Placed, Score


class RankingRepository(Protocol):
    """Scores and the hidden fans, read and written inside one transaction."""

    async def counted(self, entry_id: str) -> bool:
        """Return whether the credit with this ledger entry id was counted already."""
        ...

    async def count(self, entry_id: str, user_id: UserId, amount: int, periods: Sequence[str]) -> None:
        """Mark the entry counted and add ``amount`` to the fan's score in each of ``periods``.

        Raises:
            ConcurrentUpdateError: another transaction counted the entry first (the retried work finds it).
        """
        ...

    async def is_hidden(self, user_id: UserId) -> bool:
        """Return whether the fan asked to be left out of the ranking."""
        ...

    async def set_hidden(self, user_id: UserId, *, hidden: bool) -> None:
        """Leave the fan out of the ranking (or back in), in every period, past and future."""
        ...


class RankingUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can reach the ranking."""

    @property
    def ranking(self) -> RankingRepository:
        """The ranking of this transaction."""
        ...


class RankingQueries(Protocol):
    """Committed scores, each read through the backend's index."""

    async def top(self, period: str, limit: int) -> Sequence[Score]:
        """Return the ``limit`` visible fans who earned most in ``period`` (ties by user id), best first.

        Fans with nothing earned in the period are absent.
        """
        ...

    async def standing(self, period: str, user_id: UserId) -> Placed | None:
        """Return the fan's place among visible fans: 1 + those who earned more in ``period``.

        ``None`` when the fan earned nothing in the period, or hides.
        """
        ...

    async def is_hidden(self, user_id: UserId) -> bool:
        """Return whether the fan asked to be left out."""
        ...


class RankingStorage(Protocol):
    """What a storage backend offers the ranking besides its unit of work."""

    @property
    def ranking_queries(self) -> RankingQueries:
        """Committed scores."""
        ...
