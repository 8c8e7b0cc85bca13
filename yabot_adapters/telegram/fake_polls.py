"""Quiz polls on the fake Bot API server: ``sendPoll`` checked and recorded, answers fed back as updates.

Telegram reports who answered (``poll_answer``) only for non-anonymous polls the bot itself sent; the fake
keeps each poll it was asked for, so a test can answer it as a fan and read back what the bot sent.
"""

import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Final

from yabot_adapters.telegram.fake_api import ApiError

MAX_QUESTION: Final = 300
MAX_OPTION: Final = 100
MAX_OPTIONS: Final = 12
MAX_EXPLANATION: Final = 200


@dataclass(slots=True)
class SentPoll:
    """A poll the bot sent: where, what, and which options are right (a quiz's)."""

    poll_id: str
    chat_id: int
    message_id: int
    question: str
    options: list[str]
    poll_type: str
    is_anonymous: bool
    correct_option_ids: list[int] = field(default_factory=list)
    explanation: str | None = None


class FakePolls:
    """The polls the bot sent, by poll id."""

    def __init__(self) -> None:
        self.sent: dict[str, SentPoll] = {}
        self._ids = itertools.count(1)

    def send(
        self, params: dict[str, Any], chat: dict[str, Any], message_id: int, me: dict[str, Any]
    ) -> object:
        """Check ``sendPoll``'s parameters as Telegram does, record the poll, answer its message."""
        question = str(params.get("question", ""))
        if not question.strip() or len(question) > MAX_QUESTION:
            raise ApiError(400, "Bad Request: poll question length must not exceed 300")
        options = [_option_text(option) for option in params.get("options") or []]
        if not 2 <= len(options) <= MAX_OPTIONS:  # noqa: PLR2004  (Telegram's minimum of two options)
            raise ApiError(400, "Bad Request: poll must have at least 2 option")
        if any(not text.strip() or len(text) > MAX_OPTION for text in options):
            raise ApiError(400, "Bad Request: poll options length must not exceed 100")
        poll_type = str(params.get("type", "regular"))
        correct = _correct(params)
        if poll_type == "quiz" and (len(correct) != 1 or not 0 <= correct[0] < len(options)):
            raise ApiError(400, "Bad Request: wrong correct option ID specified")
        explanation = params.get("explanation")
        if explanation is not None and len(str(explanation)) > MAX_EXPLANATION:
            raise ApiError(400, "Bad Request: explanation is too long")
        anonymous = bool(params.get("is_anonymous", True))
        poll = SentPoll(
            poll_id=f"{5_000_000_000 + next(self._ids)}",
            chat_id=int(chat["id"]),
            message_id=message_id,
            question=question,
            options=options,
            poll_type=poll_type,
            is_anonymous=anonymous,
            correct_option_ids=correct,
            explanation=None if explanation is None else str(explanation),
        )
        self.sent[poll.poll_id] = poll
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": me,
            "poll": _poll_object(poll),
        }

    def answer_update(
        self, update_id: int, poll_id: str, user_id: int, option_ids: list[int], *, first_name: str
    ) -> dict[str, Any]:
        """A ``poll_answer`` update: ``user_id`` chose ``option_ids`` (none for anonymous polls)."""
        poll = self.sent[poll_id]
        if poll.is_anonymous:
            msg = "Telegram reports no answers to anonymous polls"
            raise ValueError(msg)
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "es"}
        answer = {
            "poll_id": poll_id,
            "option_ids": option_ids,
            "option_persistent_ids": [str(option) for option in option_ids],
            "user": user,
        }
        return {"update_id": update_id, "poll_answer": answer}


def _option_text(option: object) -> str:
    if isinstance(option, dict):
        return str(option.get("text", ""))
    return str(option)


def _correct(params: dict[str, Any]) -> list[int]:
    ids = params.get("correct_option_ids")
    if isinstance(ids, list):
        return [int(each) for each in ids]
    single = params.get("correct_option_id")
    return [] if single is None else [int(single)]


def _poll_object(poll: SentPoll) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": poll.poll_id,
        "question": poll.question,
        "options": [
            {"persistent_id": str(n), "text": text, "voter_count": 0} for n, text in enumerate(poll.options)
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": poll.is_anonymous,
        "type": poll.poll_type,
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    if poll.correct_option_ids:
        result["correct_option_ids"] = poll.correct_option_ids
    if poll.explanation is not None:
        result["explanation"] = poll.explanation
    return result
