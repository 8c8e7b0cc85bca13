"""The ranking's scores in SQLite: the ranking module's slice.

``ranking_scores`` keeps one row per (period, fan) with the besitos earned and whether the fan hides; the
index ``ranking_board`` orders a period's visible rows by besitos, so the top fans are the index's first
rows and a fan's place is a count over the rows above theirs.
"""

import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.ranking import Placed, RankingQueries, RankingRepository, Score

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE ranking_scores (
        period  TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        earned  INTEGER NOT NULL CHECK (earned >= 0),
        hidden  INTEGER NOT NULL CHECK (hidden IN (0, 1)),
        PRIMARY KEY (period, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX ranking_board ON ranking_scores (period, hidden, earned DESC, user_id);
    CREATE INDEX ranking_by_user ON ranking_scores (user_id);
    CREATE TABLE ranking_counted (entry_id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE ranking_hidden (user_id INTEGER PRIMARY KEY);
    """,
        down="""
    DROP TABLE ranking_hidden;
    DROP TABLE ranking_counted;
    DROP TABLE ranking_scores;
    """,
    ),
)

_ADD: Final = """
    INSERT INTO ranking_scores (period, user_id, earned, hidden) VALUES (?, ?, ?, ?)
    ON CONFLICT (period, user_id) DO UPDATE SET earned = earned + excluded.earned
"""
_TOP: Final = """
    SELECT user_id, earned FROM ranking_scores
    WHERE period = ? AND hidden = 0 AND earned > 0
    ORDER BY earned DESC, user_id LIMIT ?
"""
_MINE: Final = "SELECT earned, hidden FROM ranking_scores WHERE period = ? AND user_id = ?"
_ABOVE: Final = "SELECT COUNT(*) FROM ranking_scores WHERE period = ? AND hidden = 0 AND earned > ?"
_HIDDEN: Final = "SELECT 1 FROM ranking_hidden WHERE user_id = ?"


class SqliteRankingRepository(RankingRepository):
    """The ranking inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def counted(self, entry_id: str) -> bool:
        with self._session.use() as conn:
            return (
                conn.execute("SELECT 1 FROM ranking_counted WHERE entry_id = ?", (entry_id,)).fetchone()
                is not None
            )

    async def count(self, entry_id: str, user_id: UserId, amount: int, periods: Sequence[str]) -> None:
        with self._session.savepoint("ranking_count") as conn:
            try:
                conn.execute("INSERT INTO ranking_counted (entry_id) VALUES (?)", (entry_id,))
            except sqlite3.IntegrityError as exc:  # another work counted it first
                raise ConcurrentUpdateError(detail={"entry_id": entry_id}) from exc
            hidden = int(conn.execute(_HIDDEN, (user_id,)).fetchone() is not None)
            conn.executemany(_ADD, [(period, user_id, amount, hidden) for period in periods])

    async def is_hidden(self, user_id: UserId) -> bool:
        with self._session.use() as conn:
            return conn.execute(_HIDDEN, (user_id,)).fetchone() is not None

    async def set_hidden(self, user_id: UserId, *, hidden: bool) -> None:
        with self._session.use() as conn:
            if hidden:
                conn.execute("INSERT OR IGNORE INTO ranking_hidden (user_id) VALUES (?)", (user_id,))
            else:
                conn.execute("DELETE FROM ranking_hidden WHERE user_id = ?", (user_id,))
            conn.execute("UPDATE ranking_scores SET hidden = ? WHERE user_id = ?", (int(hidden), user_id))


class SqliteRankingQueries(RankingQueries):
    """Scores from committed state, on the read connection, through ``ranking_board``."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def top(self, period: str, limit: int) -> Sequence[Score]:
        rows = await self._reader.read(lambda conn: conn.execute(_TOP, (period, limit)).fetchall())
        return [Score(user_id=UserId(user), earned=earned) for user, earned in rows]

    async def standing(self, period: str, user_id: UserId) -> Placed | None:
        def query(conn: sqlite3.Connection) -> Placed | None:
            row = conn.execute(_MINE, (period, user_id)).fetchone()
            if row is None or row[1] or not row[0]:
                return None
            (above,) = conn.execute(_ABOVE, (period, row[0])).fetchone()
            return Placed(place=above + 1, user_id=user_id, earned=row[0])

        return await self._reader.read(query)

    async def is_hidden(self, user_id: UserId) -> bool:
        return await self._reader.read(lambda conn: conn.execute(_HIDDEN, (user_id,)).fetchone() is not None)


SLICE = SqliteSlice(
    name="ranking",
    migrations=MIGRATIONS,
    repository=SqliteRankingRepository,
    queries={"ranking_queries": lambda reader, _writer: SqliteRankingQueries(reader)},
)
