"""Trivia over HTTP for admins: create a question or a series, list them, read results, cancel.

Its request and response schemas live here too: they belong to the trivia module, which owns this file.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal, Self, TypeAlias

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, PathParameter

from yabot_adapters.http.auth import ADMIN_ONLY, protected
from yabot_adapters.http.auth.principals import KeyHolder, Principal
from yabot_adapters.http.errors import API_ERROR_RESPONSES
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.audit import Actor
from yabot_core.trivia import NewQuestion, Trivia, TriviaQuestion, TriviaResults

QuestionIdInPath: TypeAlias = Annotated[
    str, PathParameter(max_length=64, description="El id de la pregunta.")
]

QUESTION_NOT_FOUND: Final = error_response(
    "No existe esa pregunta.",
    ErrorBody(
        "pregunta_no_encontrada",
        "No existe ninguna pregunta de trivia con el id 0193b2c4.",
        {"question_id": "0193b2c4"},
    ),
)


@dataclass(frozen=True, slots=True)
class QuestionRequest:
    """One question: 2 to 10 options, ``correct_option`` counted from 0, the reward and the close."""

    text: str
    options: list[str]
    correct_option: int
    reward: int
    closes_at: datetime
    explanation: str | None = None


@dataclass(frozen=True, slots=True)
class CreateTriviaRequest:
    """A question, or a series of up to 20 (all created or none), for opted-in fans or one group."""

    questions: list[QuestionRequest]
    group_chat_id: int | None = None


@dataclass(frozen=True, slots=True)
class QuestionBody:
    """A question as admins see it."""

    question_id: str
    text: str
    options: list[str]
    correct_option: int
    explanation: str | None
    reward: int
    closes_at: datetime
    group_chat_id: int | None
    series_id: str | None
    status: Literal["open", "cancelled"]

    @classmethod
    def of(cls, question: TriviaQuestion) -> Self:
        """Project a question onto what the API publishes."""
        return cls(
            question_id=question.question_id,
            text=question.text,
            options=list(question.options),
            correct_option=question.correct_option,
            explanation=question.explanation,
            reward=question.reward,
            closes_at=question.closes_at,
            group_chat_id=question.group_chat_id,
            series_id=question.series_id,
            status=question.status.value,
        )


@dataclass(frozen=True, slots=True)
class QuestionsBody:
    """Questions, the latest to close first."""

    questions: list[QuestionBody]


@dataclass(frozen=True, slots=True)
class ResultsBody:
    """How a question went: polls sent, answers, rewarded (right in time), late, wrong, votes per option."""

    question: QuestionBody
    polls: int
    answers: int
    rewarded: int
    late: int
    wrong: int
    besitos: int
    per_option: list[int]

    @classmethod
    def of(cls, results: TriviaResults) -> Self:
        """Project the results onto what the API publishes."""
        return cls(
            question=QuestionBody.of(results.question),
            polls=results.polls,
            answers=results.answers,
            rewarded=results.rewarded,
            late=results.late,
            wrong=results.wrong,
            besitos=results.besitos,
            per_option=list(results.per_option),
        )


def trivia_controller(trivia: Trivia) -> type[Controller]:
    """The admins' trivia controller over ``trivia`` (bound here once)."""

    class AdminTriviaController(Controller):
        """Trivia for admins."""

        path = "/admin/trivia"
        tags = ["trivia"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ADMIN_ONLY)
        @post(
            "/",
            status_code=201,
            summary="Crear preguntas de trivia",
            description=(
                "Crea una pregunta o una serie (todas o ninguna). El bot la envía como encuesta de quiz no "
                "anónima a los fans que la pidieron con /trivia, o al grupo `group_chat_id`. Acertar antes "
                "de `closes_at` premia una vez con `reward` besitos."
            ),
            responses=API_ERROR_RESPONSES,
        )
        async def create(
            self, request: Request[Principal, Any, Any], data: JSONBody[CreateTriviaRequest]
        ) -> QuestionsBody:
            """Create the questions; their polls go out from the bot's process."""
            made = await trivia.create_series(
                [
                    NewQuestion(
                        text=item.text,
                        options=tuple(item.options),
                        correct_option=item.correct_option,
                        explanation=item.explanation,
                        reward=item.reward,
                        closes_at=item.closes_at,
                    )
                    for item in data.questions
                ],
                group_chat_id=data.group_chat_id,
                actor=actor_of(request),
            )
            return QuestionsBody(questions=[QuestionBody.of(question) for question in made])

        @protected(ADMIN_ONLY)
        @get(
            "/",
            summary="Listar las preguntas de trivia",
            description="Las 100 que cierran más tarde, primero la última.",
            responses=API_ERROR_RESPONSES,
        )
        async def list_questions(self) -> QuestionsBody:
            """The 100 questions that close latest, the latest first."""
            return QuestionsBody(questions=[QuestionBody.of(q) for q in await trivia.questions(limit=100)])

        @protected(ADMIN_ONLY)
        @get(
            "/{question_id:str}/results",
            summary="Resultados de una pregunta",
            responses={**API_ERROR_RESPONSES, 404: QUESTION_NOT_FOUND},
        )
        async def results(self, question_id: QuestionIdInPath) -> ResultsBody:
            """Polls sent, answers, rewarded, late, wrong, votes per option."""
            return ResultsBody.of(await trivia.results(question_id))

        @protected(ADMIN_ONLY)
        @post(
            "/{question_id:str}/cancel",
            status_code=200,
            summary="Cancelar una pregunta",
            description="Desde ahora nadie gana besitos con ella; cancelar otra vez no cambia nada.",
            responses={**API_ERROR_RESPONSES, 404: QUESTION_NOT_FOUND},
        )
        async def cancel(
            self, request: Request[Principal, Any, Any], question_id: QuestionIdInPath
        ) -> QuestionBody:
            """Cancel the question."""
            return QuestionBody.of(await trivia.cancel(question_id, actor=actor_of(request)))

    return AdminTriviaController


def actor_of(request: Request[Principal, Any, Any]) -> Actor:
    """Who the audit log names: the API key's name (admin routes admit keys only)."""
    principal = request.user
    return Actor.api_key(principal.key.name) if isinstance(principal, KeyHolder) else Actor.system()
