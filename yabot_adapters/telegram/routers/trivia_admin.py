"""The trivia module's /admin screen: the latest questions and, for one, how it went.

The same figures as ``yabot trivia results`` (polls sent, answers, right in time and rewarded, right but
late, wrong, votes per option), read from storage: any process serving the menu shows them alike.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Cancel, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from yabot_adapters.telegram.admin.screens import choices, render, served
from yabot_adapters.texts import Html
from yabot_core.trivia import QuestionStatus, Trivia, TriviaQuestion

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from yabot_core.kernel import Clock

LISTED: Final = 10
"""Questions the list shows (those that close latest)."""
SHOWN: Final = 40
"""Characters of a question on its button."""


class TriviaAdminScreen(StatesGroup):
    """The latest questions; one question's results."""

    listing = State()
    results = State()


def _state(manager: DialogManager, question: TriviaQuestion, now: datetime) -> str:
    if question.status is QuestionStatus.CANCELLED:
        return render(manager, "trivia-admin-state-cancelled")
    if question.takes_answers(now):
        return render(manager, "trivia-admin-state-open")
    return render(manager, "trivia-admin-state-closed")


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 1]}…"


async def _questions(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    trivia = served(dialog_manager, "trivia", Trivia)
    clock: Clock = dialog_manager.middleware_data["trivia_clock"]
    now = clock.now()
    questions = list(await trivia.questions(limit=LISTED))
    items = [(q.question_id, f"{_short(q.text)} · {_state(dialog_manager, q, now)}") for q in questions]
    if questions:
        text = render(dialog_manager, "trivia-admin-list")
    else:
        text = render(dialog_manager, "trivia-admin-none")
    return {
        "text": text,
        "questions": items,
        "back": render(dialog_manager, "admin-button-back"),
    }


async def _chosen(_callback: CallbackQuery, _widget: Any, manager: DialogManager, question_id: str) -> None:  # noqa: ANN401  (aiogram-dialog's widget)
    manager.dialog_data["question"] = question_id
    await manager.switch_to(TriviaAdminScreen.results)


async def _results(dialog_manager: DialogManager, **_: object) -> dict[str, Any]:
    trivia = served(dialog_manager, "trivia", Trivia)
    zone: ZoneInfo = dialog_manager.middleware_data["timezone"]
    found = await trivia.results(dialog_manager.dialog_data["question"])
    question = found.question
    options = [
        render(dialog_manager, "trivia-admin-option", numero=n + 1, opcion=option, votos=votes)
        if n != question.correct_option
        else render(dialog_manager, "trivia-admin-option-right", numero=n + 1, opcion=option, votos=votes)
        for n, (option, votes) in enumerate(zip(question.options, found.per_option, strict=True))
    ]
    text = render(
        dialog_manager,
        "trivia-admin-results",
        pregunta=question.text,
        cierre=question.closes_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
        encuestas=found.polls,
        respuestas=found.answers,
        premiados=found.rewarded,
        besitos=found.besitos,
        tarde=found.late,
        fallos=found.wrong,
        opciones=Html("\n".join(options)),
    )
    return {"text": text, "back": render(dialog_manager, "admin-button-back")}


def trivia_dialog() -> Dialog:
    """The latest questions, and one question's results."""
    return Dialog(
        Window(
            Format("{text}"),
            Column(choices("question", "questions", _chosen)),
            Cancel(Format("{back}"), id="back"),
            state=TriviaAdminScreen.listing,
            getter=_questions,
        ),
        Window(
            Format("{text}"),
            SwitchTo(Format("{back}"), id="back", state=TriviaAdminScreen.listing),
            state=TriviaAdminScreen.results,
            getter=_results,
        ),
    )
