"""Events the trivia publishes: the bot sends the polls, Lucien congratulates, missions may count."""

from typing import ClassVar

from pydantic import AwareDatetime

from yabot_core.kernel import Event, UserId


class TriviaCreated(Event):
    """An admin created a question; the bot sends its quiz polls (to a group, or to opted-in fans)."""

    event_type: ClassVar[str] = "trivia.created"

    question_id: str
    closes_at: AwareDatetime
    group_chat_id: int | None = None


class TriviaAnswered(Event):
    """A fan answered a question for the first time; ``reward`` > 0 when right and in time."""

    event_type: ClassVar[str] = "trivia.answered"

    question_id: str
    user_id: UserId
    correct: bool
    on_time: bool
    reward: int


class TriviaSendPending(Event):
    """A question's polls went out to part of its chats: the bot goes on after chat ``after``."""

    event_type: ClassVar[str] = "trivia.send_pending"

    question_id: str
    after: int


class TriviaCancelled(Event):
    """An admin cancelled a question: answers from now on earn nothing."""

    event_type: ClassVar[str] = "trivia.cancelled"

    question_id: str
