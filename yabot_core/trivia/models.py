"""Trivia questions, the quiz polls that carry them, and fans' answers."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from yabot_core.kernel import MAX_USER_ID, UserId
from yabot_core.wallet import MAX_AMOUNT, LedgerReason

TRIVIA: Final = LedgerReason.define("trivia", "Trivia acertada")
"""The ledger reason of a correct answer's reward."""

MAX_QUESTION: Final = 300
"""Telegram's limit on a poll's question."""
MAX_OPTION: Final = 100
"""Telegram's limit on each option."""
MIN_OPTIONS: Final = 2
MAX_OPTIONS: Final = 10
MAX_EXPLANATION: Final = 200
"""Telegram's limit on a quiz's explanation."""


class QuestionStatus(StrEnum):
    """A question takes answers until its close (``open``), or was cancelled by an admin."""

    OPEN = "open"
    CANCELLED = "cancelled"


class TriviaQuestion(BaseModel):
    """One quiz question: its options, the right one, the reward for answering it right before ``closes_at``.

    ``group_chat_id`` sends it to one group; ``None`` sends it to every fan who opted in, each in private.
    ``series_id`` groups the questions an admin created together.
    """

    model_config = ConfigDict(frozen=True)

    question_id: str
    text: str = Field(min_length=1, max_length=MAX_QUESTION)
    options: tuple[str, ...] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    correct_option: int = Field(ge=0)
    explanation: str | None = Field(default=None, max_length=MAX_EXPLANATION)
    reward: int = Field(ge=1, le=MAX_AMOUNT)
    closes_at: AwareDatetime
    group_chat_id: int | None = Field(default=None, ge=-MAX_USER_ID, le=MAX_USER_ID)
    series_id: str | None = None
    status: QuestionStatus = QuestionStatus.OPEN
    created_at: AwareDatetime
    version: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _sound(self) -> Self:
        if self.correct_option >= len(self.options):
            msg = "the correct option is not among the options"
            raise ValueError(msg)
        if any(not option.strip() or len(option) > MAX_OPTION for option in self.options):
            msg = "an option is empty or too long"
            raise ValueError(msg)
        if len(set(self.options)) != len(self.options):
            msg = "two options are the same"
            raise ValueError(msg)
        return self

    def takes_answers(self, now: datetime) -> bool:
        """Whether an answer given at ``now`` counts for the reward."""
        return self.status is QuestionStatus.OPEN and now < self.closes_at


class TriviaPoll(BaseModel):
    """A quiz poll Telegram holds for a question in one chat: its ``poll_id`` names it in ``poll_answer``."""

    model_config = ConfigDict(frozen=True)

    poll_id: str = Field(min_length=1, max_length=64)
    question_id: str
    chat_id: int
    message_id: int
    sent_at: AwareDatetime


class TriviaAnswer(BaseModel):
    """A fan's first answer to a question (later ones change nothing): right or not, in time or not."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    user_id: UserId
    poll_id: str
    option_ids: tuple[int, ...]
    correct: bool
    on_time: bool
    reward: int = Field(ge=0)
    """The besitos it earned: the question's reward if right and in time, else 0."""
    answered_at: AwareDatetime


class TriviaFan(BaseModel):
    """Whether a fan wants the trivia in private; ``version`` moves by one with each save."""

    model_config = ConfigDict(frozen=True)

    user_id: UserId
    enabled: bool
    version: int = Field(ge=1)


class TriviaResults(BaseModel):
    """How a question went: polls sent, answers, right and in time (rewarded), right but late, wrong."""

    model_config = ConfigDict(frozen=True)

    question: TriviaQuestion
    polls: int
    answers: int
    rewarded: int
    late: int
    wrong: int
    besitos: int
    per_option: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NewQuestion:
    """What an admin writes for one question, unchecked: the service gives it an id and checks it."""

    text: str
    options: tuple[str, ...]
    correct_option: int
    reward: int
    closes_at: datetime
    explanation: str | None = None
