"""Trivia questions, polls, answers and fans in memory: the trivia module's slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.trivia import (
    TriviaAnswer,
    TriviaFan,
    TriviaPoll,
    TriviaQueries,
    TriviaQuestion,
    TriviaRepository,
)


@dataclass
class TriviaState:
    """Committed questions by id, polls by poll id and by (question, chat), answers, fans."""

    questions: dict[str, TriviaQuestion] = field(default_factory=dict)
    polls: dict[str, TriviaPoll] = field(default_factory=dict)
    poll_chats: dict[tuple[str, int], str] = field(default_factory=dict)
    answers: dict[tuple[str, UserId], TriviaAnswer] = field(default_factory=dict)
    fans: dict[UserId, TriviaFan] = field(default_factory=dict)


class InMemoryTriviaRepository(TriviaRepository):
    """The trivia of one in-memory unit of work: writes are staged."""

    def __init__(self, state: TriviaState) -> None:
        self._questions = Overlay(state.questions)
        self._polls = Overlay(state.polls)
        self._poll_chats = Overlay(state.poll_chats)
        self._answers = Overlay(state.answers)
        self._fans = Overlay(state.fans)

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        return self._questions.get(question_id)

    async def save_question(self, question: TriviaQuestion) -> None:
        current = self._questions.get(question.question_id)
        if (current.version if current else 0) != question.version - 1:
            raise ConcurrentUpdateError(detail={"question_id": question.question_id})
        self._questions.stage(question.question_id, question)

    async def get_poll(self, poll_id: str) -> TriviaPoll | None:
        return self._polls.get(poll_id)

    async def add_poll(self, poll: TriviaPoll) -> None:
        chat = (poll.question_id, poll.chat_id)
        if self._polls.get(poll.poll_id) is not None or self._poll_chats.get(chat) is not None:
            raise ConcurrentUpdateError(detail={"poll_id": poll.poll_id})
        self._polls.stage(poll.poll_id, poll)
        self._poll_chats.stage(chat, poll.poll_id)

    async def get_answer(self, question_id: str, user_id: UserId) -> TriviaAnswer | None:
        return self._answers.get((question_id, user_id))

    async def add_answer(self, answer: TriviaAnswer) -> None:
        key = (answer.question_id, answer.user_id)
        if self._answers.get(key) is not None:
            raise ConcurrentUpdateError(detail={"question_id": answer.question_id, "user_id": answer.user_id})
        self._answers.stage(key, answer)

    async def get_fan(self, user_id: UserId) -> TriviaFan | None:
        return self._fans.get(user_id)

    async def save_fan(self, fan: TriviaFan) -> None:
        current = self._fans.get(fan.user_id)
        if (current.version if current else 0) != fan.version - 1:
            raise ConcurrentUpdateError(detail={"user_id": fan.user_id})
        self._fans.stage(fan.user_id, fan)

    def apply(self) -> None:
        self._questions.apply()
        self._polls.apply()
        self._poll_chats.apply()
        self._answers.apply()
        self._fans.apply()


class InMemoryTriviaQueries(TriviaQueries):
    """The trivia from committed state."""

    def __init__(self, state: TriviaState) -> None:
        self._state = state

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        return self._state.questions.get(question_id)

    async def questions(self, *, limit: int = 50) -> Sequence[TriviaQuestion]:
        ordered = sorted(
            self._state.questions.values(), key=lambda q: (q.closes_at, q.question_id), reverse=True
        )
        return ordered[:limit]

    async def polls(self, question_id: str) -> Sequence[TriviaPoll]:
        return [poll for poll in self._state.polls.values() if poll.question_id == question_id]

    async def answers(self, question_id: str) -> Sequence[TriviaAnswer]:
        return [answer for (question, _), answer in self._state.answers.items() if question == question_id]

    async def fans(self, *, after: UserId | None = None, limit: int = 500) -> Sequence[UserId]:
        chosen = sorted(
            user for user, fan in self._state.fans.items() if fan.enabled and (after is None or user > after)
        )
        return chosen[:limit]


SLICE = MemorySlice(
    name="trivia",
    state=TriviaState,
    repository=InMemoryTriviaRepository,
    queries={"trivia_queries": InMemoryTriviaQueries},
)
