"""The ranking's scores in MongoDB: the ranking module's slice.

``ranking_scores`` holds one document per (period, fan), ``_id`` = ``<period>/<user>``, with the besitos
earned and whether the fan hides (``hidden`` 0 or 1: update operators touch numbers only, see ``schema.py``);
the index ``ranking_board`` orders a period's visible documents by besitos, so the top fans are the index's
first entries and a fan's place is a count over those above. A score is written whole, from the value it
was read at: a transaction that raced another for it finds it moved and is retried.
"""

from collections.abc import Sequence
from typing import Final

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from yabot_adapters.mongo.documents import Document
from yabot_adapters.mongo.gate import Gate
from yabot_adapters.mongo.schema import insert_new
from yabot_adapters.mongo.slice import MongoSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.ranking import Placed, RankingQueries, RankingRepository, Score

RANKING_SCORES: Final = "ranking_scores"
"""``{_id: "<period>/<user>", period, user_id, earned, hidden}``."""
RANKING_COUNTED: Final = "ranking_counted"
"""``{_id: ledger entry id}``: the credits already counted."""
RANKING_HIDDEN: Final = "ranking_hidden"
"""``{_id: user id}``: the fans who asked to be left out."""

_BOARD: Final = [("period", ASCENDING), ("hidden", ASCENDING), ("earned", DESCENDING), ("user_id", ASCENDING)]

INDEXES: Final = {
    RANKING_SCORES: [
        IndexModel(_BOARD, name="ranking_board"),
        IndexModel([("user_id", ASCENDING)], name="ranking_by_user"),
    ],
}


class MongoRankingRepository(RankingRepository):
    """The ranking of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._scores = database[RANKING_SCORES]
        self._counted = database[RANKING_COUNTED]
        self._hidden = database[RANKING_HIDDEN]
        self._session = session

    async def counted(self, entry_id: str) -> bool:
        return await self._counted.find_one({"_id": entry_id}, session=self._session) is not None

    async def count(self, entry_id: str, user_id: UserId, amount: int, periods: Sequence[str]) -> None:
        try:
            await insert_new(self._counted, {"_id": entry_id}, self._session)
        except DuplicateKeyError as exc:  # another transaction counted it first
            raise ConcurrentUpdateError(detail={"entry_id": entry_id}) from exc
        hidden = int(await self.is_hidden(user_id))
        for period in periods:
            key = f"{period}/{user_id}"
            stored = await self._scores.find_one({"_id": key}, session=self._session)
            earned = 0 if stored is None else int(stored["earned"])
            document = {
                "_id": key,
                "period": period,
                "user_id": user_id,
                "earned": earned + amount,
                "hidden": hidden,
            }
            conflict = ConcurrentUpdateError(detail={"period": period, "user_id": user_id})
            try:
                if stored is None:
                    await insert_new(self._scores, document, self._session)
                    continue
                moved = await self._scores.replace_one(
                    {"_id": key, "earned": earned}, document, session=self._session
                )
            except DuplicateKeyError as exc:  # another transaction created it first
                raise conflict from exc
            if moved.matched_count == 0:
                raise conflict

    async def is_hidden(self, user_id: UserId) -> bool:
        return await self._hidden.find_one({"_id": user_id}, session=self._session) is not None

    async def set_hidden(self, user_id: UserId, *, hidden: bool) -> None:
        if hidden:
            await self._hidden.replace_one(
                {"_id": user_id}, {"_id": user_id}, upsert=True, session=self._session
            )
        else:
            await self._hidden.delete_one({"_id": user_id}, session=self._session)
        await self._scores.update_many(
            {"user_id": user_id}, {"$set": {"hidden": hidden}}, session=self._session
        )


class MongoRankingQueries(RankingQueries):
    """Scores from committed data, through ``ranking_board``."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._scores = database[RANKING_SCORES]
        self._hidden = database[RANKING_HIDDEN]
        self._gate = gate

    async def top(self, period: str, limit: int) -> Sequence[Score]:
        query = {"period": period, "hidden": 0, "earned": {"$gt": 0}}
        async with self._gate.operation():
            documents = await self._scores.find(query).sort(_BOARD[2:]).limit(limit).to_list()
        return [Score(user_id=UserId(d["user_id"]), earned=int(d["earned"])) for d in documents]

    async def standing(self, period: str, user_id: UserId) -> Placed | None:
        async with self._gate.operation():
            mine = await self._scores.find_one({"_id": f"{period}/{user_id}"})
            if mine is None or mine["hidden"] or not mine["earned"]:
                return None
            earned = int(mine["earned"])
            above = await self._scores.count_documents(
                {"period": period, "hidden": 0, "earned": {"$gt": earned}}
            )
        return Placed(place=above + 1, user_id=user_id, earned=earned)

    async def is_hidden(self, user_id: UserId) -> bool:
        async with self._gate.operation():
            return await self._hidden.find_one({"_id": user_id}) is not None


SLICE = MongoSlice(
    name="ranking",
    repository=MongoRankingRepository,
    queries={"ranking_queries": MongoRankingQueries},
    collections=(RANKING_SCORES, RANKING_COUNTED, RANKING_HIDDEN),
    indexes=INDEXES,
)
