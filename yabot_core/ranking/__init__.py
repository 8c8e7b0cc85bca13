"""The ranking: the fans who earned most besitos, this week and all time, and each fan's place. Public API."""

from yabot_core.ranking.manifest import MANIFEST
from yabot_core.ranking.models import ALL_TIME, Board, Placed, Score, Table, week_of
from yabot_core.ranking.ports import RankingQueries, RankingRepository, RankingStorage, RankingUnitOfWork
from yabot_core.ranking.service import MAX_LEADERS, Ranking, placed

__all__ = [
    "ALL_TIME",
    "MANIFEST",
    "MAX_LEADERS",
    "Board",
    "Placed",
    "Ranking",
    "RankingQueries",
    "RankingRepository",
    "RankingStorage",
    "RankingUnitOfWork",
    "Score",
    "Table",
    "placed",
    "week_of",
]
