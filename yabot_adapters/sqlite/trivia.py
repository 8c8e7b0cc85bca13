"""Trivia questions, polls, answers and fans in SQLite: the trivia module's slice.

An answer's primary key is (question, user): a fan's second answer fails its insert, whatever runs at once,
which is what makes the reward once. A poll is unique by id and by (question, chat).
"""

import sqlite3
from collections.abc import Sequence
from typing import Final

from yabot_adapters.sqlite.codec import encode_time
from yabot_adapters.sqlite.connection import Reader
from yabot_adapters.sqlite.session import Session
from yabot_adapters.sqlite.slice import Migration, SqliteSlice
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.trivia import (
    TriviaAnswer,
    TriviaFan,
    TriviaPoll,
    TriviaQueries,
    TriviaQuestion,
    TriviaRepository,
)

MIGRATIONS: Final = (
    Migration(
        up="""
    CREATE TABLE trivia_questions (
        question_id TEXT PRIMARY KEY,
        closes_at   TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        document    TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE trivia_polls (
        poll_id     TEXT PRIMARY KEY,
        question_id TEXT NOT NULL,
        chat_id     INTEGER NOT NULL,
        document    TEXT NOT NULL,
        UNIQUE (question_id, chat_id)
    ) WITHOUT ROWID;
    CREATE TABLE trivia_answers (
        question_id TEXT NOT NULL,
        user_id     INTEGER NOT NULL,
        document    TEXT NOT NULL,
        PRIMARY KEY (question_id, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE trivia_fans (
        user_id INTEGER PRIMARY KEY,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        version INTEGER NOT NULL CHECK (version >= 1)
    );
    """,
        down="""
    DROP TABLE trivia_fans;
    DROP TABLE trivia_answers;
    DROP TABLE trivia_polls;
    DROP TABLE trivia_questions;
    """,
    ),
)

_QUESTION: Final = "SELECT document FROM trivia_questions WHERE question_id = ?"
_INSERT_QUESTION: Final = (
    "INSERT INTO trivia_questions (question_id, closes_at, version, document) VALUES (?, ?, 1, ?)"
)
_MOVE_QUESTION: Final = (
    "UPDATE trivia_questions SET version = ?, document = ? WHERE question_id = ? AND version = ?"
)
_QUESTIONS: Final = "SELECT document FROM trivia_questions ORDER BY closes_at DESC, question_id DESC LIMIT ?"
_POLL: Final = "SELECT document FROM trivia_polls WHERE poll_id = ?"
_ADD_POLL: Final = "INSERT INTO trivia_polls (poll_id, question_id, chat_id, document) VALUES (?, ?, ?, ?)"
_POLLS: Final = "SELECT document FROM trivia_polls WHERE question_id = ?"
_ANSWER: Final = "SELECT document FROM trivia_answers WHERE question_id = ? AND user_id = ?"
_ADD_ANSWER: Final = "INSERT INTO trivia_answers (question_id, user_id, document) VALUES (?, ?, ?)"
_ANSWERS: Final = "SELECT document FROM trivia_answers WHERE question_id = ? ORDER BY user_id"
_FAN: Final = "SELECT user_id, enabled, version FROM trivia_fans WHERE user_id = ?"
_INSERT_FAN: Final = "INSERT INTO trivia_fans (user_id, enabled, version) VALUES (?, ?, 1)"
_MOVE_FAN: Final = "UPDATE trivia_fans SET enabled = ?, version = ? WHERE user_id = ? AND version = ?"
_FANS: Final = "SELECT user_id FROM trivia_fans WHERE enabled = 1 AND user_id > ? ORDER BY user_id LIMIT ?"


class SqliteTriviaRepository(TriviaRepository):
    """The trivia inside one unit of work, on the writer connection."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        with self._session.use() as conn:
            row = conn.execute(_QUESTION, (question_id,)).fetchone()
        return None if row is None else TriviaQuestion.model_validate_json(row["document"])

    async def save_question(self, question: TriviaQuestion) -> None:
        conflict = ConcurrentUpdateError(detail={"question_id": question.question_id})
        document = question.model_dump_json()
        with self._session.use() as conn:
            if question.version == 1:
                try:
                    conn.execute(
                        _INSERT_QUESTION, (question.question_id, encode_time(question.closes_at), document)
                    )
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            moved = (question.version, document, question.question_id, question.version - 1)
            if conn.execute(_MOVE_QUESTION, moved).rowcount == 0:
                raise conflict

    async def get_poll(self, poll_id: str) -> TriviaPoll | None:
        with self._session.use() as conn:
            row = conn.execute(_POLL, (poll_id,)).fetchone()
        return None if row is None else TriviaPoll.model_validate_json(row["document"])

    async def add_poll(self, poll: TriviaPoll) -> None:
        values = (poll.poll_id, poll.question_id, poll.chat_id, poll.model_dump_json())
        with self._session.use() as conn:
            try:
                conn.execute(_ADD_POLL, values)
            except sqlite3.IntegrityError as exc:
                raise ConcurrentUpdateError(detail={"poll_id": poll.poll_id}) from exc

    async def get_answer(self, question_id: str, user_id: UserId) -> TriviaAnswer | None:
        with self._session.use() as conn:
            row = conn.execute(_ANSWER, (question_id, user_id)).fetchone()
        return None if row is None else TriviaAnswer.model_validate_json(row["document"])

    async def add_answer(self, answer: TriviaAnswer) -> None:
        values = (answer.question_id, answer.user_id, answer.model_dump_json())
        with self._session.use() as conn:
            try:
                conn.execute(_ADD_ANSWER, values)
            except sqlite3.IntegrityError as exc:  # the fan's answer exists: another work stored it first
                detail = {"question_id": answer.question_id, "user_id": answer.user_id}
                raise ConcurrentUpdateError(detail=detail) from exc

    async def get_fan(self, user_id: UserId) -> TriviaFan | None:
        with self._session.use() as conn:
            row = conn.execute(_FAN, (user_id,)).fetchone()
        return None if row is None else _fan(row)

    async def save_fan(self, fan: TriviaFan) -> None:
        conflict = ConcurrentUpdateError(detail={"user_id": fan.user_id})
        with self._session.use() as conn:
            if fan.version == 1:
                try:
                    conn.execute(_INSERT_FAN, (fan.user_id, int(fan.enabled)))
                except sqlite3.IntegrityError as exc:
                    raise conflict from exc
                return
            values = (int(fan.enabled), fan.version, fan.user_id, fan.version - 1)
            if conn.execute(_MOVE_FAN, values).rowcount == 0:
                raise conflict


class SqliteTriviaQueries(TriviaQueries):
    """The trivia from committed state, on the read connection."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        def query(conn: sqlite3.Connection) -> TriviaQuestion | None:
            row = conn.execute(_QUESTION, (question_id,)).fetchone()
            return None if row is None else TriviaQuestion.model_validate_json(row["document"])

        return await self._reader.read(query)

    async def questions(self, *, limit: int = 50) -> Sequence[TriviaQuestion]:
        def query(conn: sqlite3.Connection) -> list[TriviaQuestion]:
            rows = conn.execute(_QUESTIONS, (limit,)).fetchall()
            return [TriviaQuestion.model_validate_json(row["document"]) for row in rows]

        return await self._reader.read(query)

    async def polls(self, question_id: str) -> Sequence[TriviaPoll]:
        def query(conn: sqlite3.Connection) -> list[TriviaPoll]:
            rows = conn.execute(_POLLS, (question_id,)).fetchall()
            return [TriviaPoll.model_validate_json(row["document"]) for row in rows]

        return await self._reader.read(query)

    async def answers(self, question_id: str) -> Sequence[TriviaAnswer]:
        def query(conn: sqlite3.Connection) -> list[TriviaAnswer]:
            rows = conn.execute(_ANSWERS, (question_id,)).fetchall()
            return [TriviaAnswer.model_validate_json(row["document"]) for row in rows]

        return await self._reader.read(query)

    async def fans(self, *, after: UserId | None = None, limit: int = 500) -> Sequence[UserId]:
        def query(conn: sqlite3.Connection) -> list[UserId]:
            rows = conn.execute(_FANS, (0 if after is None else after, limit)).fetchall()
            return [UserId(row["user_id"]) for row in rows]

        return await self._reader.read(query)


def _fan(row: sqlite3.Row) -> TriviaFan:
    return TriviaFan(user_id=UserId(row["user_id"]), enabled=bool(row["enabled"]), version=row["version"])


SLICE = SqliteSlice(
    name="trivia",
    migrations=MIGRATIONS,
    repository=SqliteTriviaRepository,
    queries={"trivia_queries": lambda reader, _writer: SqliteTriviaQueries(reader)},
)
