"""Trivia: quiz polls sent by the bot; a fan's first answer stored, the right one in time rewarded once.

Public API; import from here only.
"""

from yabot_core.trivia.errors import QuestionNotFoundError
from yabot_core.trivia.events import TriviaAnswered, TriviaCancelled, TriviaCreated, TriviaSendPending
from yabot_core.trivia.manifest import MANIFEST
from yabot_core.trivia.models import (
    MAX_EXPLANATION,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    TRIVIA,
    NewQuestion,
    QuestionStatus,
    TriviaAnswer,
    TriviaFan,
    TriviaPoll,
    TriviaQuestion,
    TriviaResults,
)
from yabot_core.trivia.notices import REWARDED, TriviaNotices
from yabot_core.trivia.ports import (
    QuizSender,
    TriviaQueries,
    TriviaRepository,
    TriviaStorage,
    TriviaUnitOfWork,
)
from yabot_core.trivia.service import MAX_SERIES, SEND_BATCH, Trivia

__all__ = [
    "MANIFEST",
    "MAX_EXPLANATION",
    "MAX_OPTION",
    "MAX_OPTIONS",
    "MAX_QUESTION",
    "MAX_SERIES",
    "MIN_OPTIONS",
    "REWARDED",
    "SEND_BATCH",
    "TRIVIA",
    "NewQuestion",
    "QuestionNotFoundError",
    "QuestionStatus",
    "QuizSender",
    "Trivia",
    "TriviaAnswer",
    "TriviaAnswered",
    "TriviaCancelled",
    "TriviaCreated",
    "TriviaFan",
    "TriviaNotices",
    "TriviaPoll",
    "TriviaQueries",
    "TriviaQuestion",
    "TriviaRepository",
    "TriviaResults",
    "TriviaSendPending",
    "TriviaStorage",
    "TriviaUnitOfWork",
]
