"""Trivia questions, polls, answers and fans in MongoDB: the trivia module's slice.

An answer's ``_id`` is ``<question>/<user>``: a fan's second answer collides on it, whatever runs at once.
A poll's ``_id`` is Telegram's poll id, and ``trivia_poll_chats`` holds ``<question>/<chat>`` so one chat
gets one poll per question. Models are kept as JSON text (``model``): BSON dates keep milliseconds only.
"""

from collections.abc import Sequence
from datetime import UTC
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
from yabot_core.trivia import (
    TriviaAnswer,
    TriviaFan,
    TriviaPoll,
    TriviaQueries,
    TriviaQuestion,
    TriviaRepository,
)

QUESTIONS: Final = "trivia_questions"
POLLS: Final = "trivia_polls"
POLL_CHATS: Final = "trivia_poll_chats"
ANSWERS: Final = "trivia_answers"
FANS: Final = "trivia_fans"

INDEXES: Final = {
    QUESTIONS: [IndexModel([("closes_at", DESCENDING)], name="trivia_questions_close")],
    POLLS: [IndexModel([("question_id", ASCENDING)], name="trivia_polls_question")],
    ANSWERS: [IndexModel([("question_id", ASCENDING)], name="trivia_answers_question")],
    FANS: [IndexModel([("enabled", ASCENDING), ("user_id", ASCENDING)], name="trivia_fans_enabled")],
}


def _question_document(question: TriviaQuestion) -> Document:
    return {
        "_id": question.question_id,
        "closes_at": question.closes_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "version": question.version,
        "model": question.model_dump_json(),
    }


class MongoTriviaRepository(TriviaRepository):
    """The trivia of one unit of work; every operation runs in its session's transaction."""

    def __init__(self, database: AsyncDatabase[Document], session: AsyncClientSession) -> None:
        self._questions = database[QUESTIONS]
        self._polls = database[POLLS]
        self._poll_chats = database[POLL_CHATS]
        self._answers = database[ANSWERS]
        self._fans = database[FANS]
        self._session = session

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        found = await self._questions.find_one({"_id": question_id}, session=self._session)
        return None if found is None else TriviaQuestion.model_validate_json(found["model"])

    async def save_question(self, question: TriviaQuestion) -> None:
        conflict = ConcurrentUpdateError(detail={"question_id": question.question_id})
        document = _question_document(question)
        try:
            if question.version == 1:
                await insert_new(self._questions, document, self._session)
                return
            moved = await self._questions.replace_one(
                {"_id": question.question_id, "version": question.version - 1},
                document,
                session=self._session,
            )
        except DuplicateKeyError as exc:
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict

    async def get_poll(self, poll_id: str) -> TriviaPoll | None:
        found = await self._polls.find_one({"_id": poll_id}, session=self._session)
        return None if found is None else TriviaPoll.model_validate_json(found["model"])

    async def add_poll(self, poll: TriviaPoll) -> None:
        document = {"_id": poll.poll_id, "question_id": poll.question_id, "model": poll.model_dump_json()}
        try:
            await insert_new(self._poll_chats, {"_id": f"{poll.question_id}/{poll.chat_id}"}, self._session)
            await insert_new(self._polls, document, self._session)
        except DuplicateKeyError as exc:
            raise ConcurrentUpdateError(detail={"poll_id": poll.poll_id}) from exc

    async def get_answer(self, question_id: str, user_id: UserId) -> TriviaAnswer | None:
        found = await self._answers.find_one({"_id": f"{question_id}/{user_id}"}, session=self._session)
        return None if found is None else TriviaAnswer.model_validate_json(found["model"])

    async def add_answer(self, answer: TriviaAnswer) -> None:
        document = {
            "_id": f"{answer.question_id}/{answer.user_id}",
            "question_id": answer.question_id,
            "model": answer.model_dump_json(),
        }
        try:
            await insert_new(self._answers, document, self._session)
        except DuplicateKeyError as exc:  # the fan's answer exists: another transaction stored it first
            detail = {"question_id": answer.question_id, "user_id": answer.user_id}
            raise ConcurrentUpdateError(detail=detail) from exc

    async def get_fan(self, user_id: UserId) -> TriviaFan | None:
        found = await self._fans.find_one({"_id": user_id}, session=self._session)
        if found is None:
            return None
        return TriviaFan(user_id=user_id, enabled=found["enabled"], version=found["version"])

    async def save_fan(self, fan: TriviaFan) -> None:
        conflict = ConcurrentUpdateError(detail={"user_id": fan.user_id})
        document = {
            "_id": fan.user_id,
            "user_id": fan.user_id,
            "enabled": fan.enabled,
            "version": fan.version,
        }
        try:
            if fan.version == 1:
                await insert_new(self._fans, document, self._session)
                return
            moved = await self._fans.replace_one(
                {"_id": fan.user_id, "version": fan.version - 1}, document, session=self._session
            )
        except DuplicateKeyError as exc:
            raise conflict from exc
        if moved.matched_count == 0:
            raise conflict


class MongoTriviaQueries(TriviaQueries):
    """The trivia from committed data."""

    def __init__(self, database: AsyncDatabase[Document], gate: Gate) -> None:
        self._questions = database[QUESTIONS]
        self._polls = database[POLLS]
        self._answers = database[ANSWERS]
        self._fans = database[FANS]
        self._gate = gate

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        async with self._gate.operation():
            found = await self._questions.find_one({"_id": question_id})
        return None if found is None else TriviaQuestion.model_validate_json(found["model"])

    async def questions(self, *, limit: int = 50) -> Sequence[TriviaQuestion]:
        async with self._gate.operation():
            cursor = self._questions.find({}).sort([("closes_at", DESCENDING), ("_id", DESCENDING)])
            documents = await cursor.limit(limit).to_list()
        return [TriviaQuestion.model_validate_json(document["model"]) for document in documents]

    async def polls(self, question_id: str) -> Sequence[TriviaPoll]:
        async with self._gate.operation():
            documents = await self._polls.find({"question_id": question_id}).to_list()
        return [TriviaPoll.model_validate_json(document["model"]) for document in documents]

    async def answers(self, question_id: str) -> Sequence[TriviaAnswer]:
        async with self._gate.operation():
            documents = await self._answers.find({"question_id": question_id}).to_list()
        return [TriviaAnswer.model_validate_json(document["model"]) for document in documents]

    async def fans(self, *, after: UserId | None = None, limit: int = 500) -> Sequence[UserId]:
        query = {"enabled": True, "user_id": {"$gt": 0 if after is None else after}}
        async with self._gate.operation():
            documents = await self._fans.find(query).sort([("user_id", ASCENDING)]).limit(limit).to_list()
        return [UserId(document["user_id"]) for document in documents]


SLICE = MongoSlice(
    name="trivia",
    repository=MongoTriviaRepository,
    queries={"trivia_queries": MongoTriviaQueries},
    collections=(QUESTIONS, POLLS, POLL_CHATS, ANSWERS, FANS),
    indexes=INDEXES,
)
