"""The trivia: quiz polls; a fan's first answer kept, and the right one in time rewarded once."""

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from pydantic import JsonValue, ValidationError

from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdGenerator,
    InvalidInputError,
    Transactions,
    UserId,
    checked_user_id,
    system_key,
)
from yabot_core.trivia.errors import QuestionNotFoundError
from yabot_core.trivia.events import TriviaAnswered, TriviaCancelled, TriviaCreated, TriviaSendPending
from yabot_core.trivia.models import (
    TRIVIA,
    NewQuestion,
    QuestionStatus,
    TriviaAnswer,
    TriviaFan,
    TriviaPoll,
    TriviaQuestion,
    TriviaResults,
)
from yabot_core.trivia.ports import QuizSender, TriviaQueries, TriviaUnitOfWork
from yabot_core.wallet import WalletService

MAX_LIST: Final = 100
MAX_SERIES: Final = 20
FANS_PAGE: Final = 500
SEND_BATCH: Final = 300
"""Polls tried per delivery: about 10 s at Telegram's 30 messages per second, a third of the bus's time."""


class Trivia:
    """Creates questions, sends their polls, takes answers, and rewards the right ones in time, once.

    Storage decides "once": an answer is stored under (question, user) in the same unit of work as its
    reward (whose idempotency key is ``yabot:trivia:<question>:<user>`` too), so a repeated or redelivered
    ``poll_answer`` finds it and changes nothing. Only a fan's first answer counts (a quiz takes one anyway).
    """

    def __init__(
        self,
        transactions: Transactions[TriviaUnitOfWork],
        queries: TriviaQueries,
        wallet: WalletService,
        *,
        clock: Clock,
        ids: IdGenerator,
        audit: AuditLog | None = None,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._wallet = wallet
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._stamper = EventStamper(clock, ids)

    def now(self) -> datetime:
        """The trivia's clock."""
        return self._clock.now()

    # --- admin ------------------------------------------------------------------------------------------

    async def create(
        self, question: NewQuestion, *, group_chat_id: int | None = None, actor: Actor | None = None
    ) -> TriviaQuestion:
        """Create one question; its polls go out to ``group_chat_id``, or to every fan who opted in.

        Raises:
            InvalidInputError: a question Telegram would refuse (lengths, 2 to 10 distinct options, the
                right one among them), a reward outside 1..``MAX_AMOUNT``, a close not in the future.
        """
        return (await self.create_series([question], group_chat_id=group_chat_id, actor=actor))[0]

    async def create_series(
        self,
        questions: Sequence[NewQuestion],
        *,
        group_chat_id: int | None = None,
        actor: Actor | None = None,
    ) -> Sequence[TriviaQuestion]:
        """Create several questions at once (all or none), sharing a series id; ``actor`` is audited.

        Raises what :meth:`create` raises, naming the question (1-based) at fault.
        """
        if not 1 <= len(questions) <= MAX_SERIES:
            raise InvalidInputError(f"Una serie tiene entre 1 y {MAX_SERIES} preguntas.")
        now = self._clock.now()
        series = self._ids.new_id() if len(questions) > 1 else None
        made = [
            self._checked(number, spec, now, group_chat_id, series)
            for number, spec in enumerate(questions, 1)
        ]

        async def work(uow: TriviaUnitOfWork) -> Sequence[TriviaQuestion]:
            for question in made:
                await uow.trivia.save_question(question)
                await self._audited(uow, actor, "trivia.create", question)
                uow.record(
                    TriviaCreated(
                        **self._stamper.stamp(),
                        question_id=question.question_id,
                        closes_at=question.closes_at,
                        group_chat_id=question.group_chat_id,
                    )
                )
            return made

        return await self._transactions.run(work)

    async def cancel(self, question_id: str, *, actor: Actor | None = None) -> TriviaQuestion:
        """Cancel a question: answers from now on earn nothing; cancelling twice changes nothing.

        ``actor`` is written to the audit log in the same commit.

        Raises:
            QuestionNotFoundError: no such question.
        """

        async def work(uow: TriviaUnitOfWork) -> TriviaQuestion:
            question = await self._existing(uow, question_id)
            if question.status is QuestionStatus.CANCELLED:
                return question
            cancelled = question.model_copy(
                update={"status": QuestionStatus.CANCELLED, "version": question.version + 1}
            )
            await uow.trivia.save_question(cancelled)
            await self._audited(uow, actor, "trivia.cancel", question)
            uow.record(TriviaCancelled(**self._stamper.stamp(), question_id=question_id))
            return cancelled

        return await self._transactions.run(work)

    async def get(self, question_id: str) -> TriviaQuestion:
        """Return the committed question.

        Raises:
            QuestionNotFoundError: no such question.
        """
        question = await self._queries.get_question(question_id)
        if question is None:
            raise QuestionNotFoundError(question_id[:50])
        return question

    async def questions(self, *, limit: int = 50) -> Sequence[TriviaQuestion]:
        """Up to ``limit`` questions, the latest to close first."""
        if not 1 <= limit <= MAX_LIST:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_LIST}.")
        return await self._queries.questions(limit=limit)

    async def results(self, question_id: str) -> TriviaResults:
        """How the question went: polls, answers, rewarded, late, wrong, votes per option.

        Raises:
            QuestionNotFoundError: no such question.
        """
        question = await self.get(question_id)
        answers = await self._queries.answers(question_id)
        polls = await self._queries.polls(question_id)
        per_option = [0] * len(question.options)
        for answer in answers:
            for option in answer.option_ids:
                if 0 <= option < len(per_option):
                    per_option[option] += 1
        return TriviaResults(
            question=question,
            polls=len(polls),
            answers=len(answers),
            rewarded=sum(1 for a in answers if a.reward > 0),
            late=sum(1 for a in answers if a.correct and not a.on_time),
            wrong=sum(1 for a in answers if not a.correct),
            besitos=sum(a.reward for a in answers),
            per_option=tuple(per_option),
        )

    # --- fans -------------------------------------------------------------------------------------------

    async def set_opt_in(self, user_id: UserId, *, enabled: bool) -> TriviaFan:
        """Whether the fan wants the trivia in private; choosing the same again changes nothing."""
        user = checked_user_id(user_id)

        async def work(uow: TriviaUnitOfWork) -> TriviaFan:
            current = await uow.trivia.get_fan(user)
            if current is not None and current.enabled == enabled:
                return current
            fan = TriviaFan(user_id=user, enabled=enabled, version=(current.version if current else 0) + 1)
            await uow.trivia.save_fan(fan)
            return fan

        return await self._transactions.run(work)

    async def opted_in(self, user_id: UserId) -> bool:
        """Whether the fan wants the trivia."""
        user = checked_user_id(user_id)
        return await self._transactions.run(lambda uow: self._enabled(uow, user))

    @staticmethod
    async def _enabled(uow: TriviaUnitOfWork, user: UserId) -> bool:
        fan = await uow.trivia.get_fan(user)
        return fan is not None and fan.enabled

    # --- the polls --------------------------------------------------------------------------------------

    async def send(
        self, question_id: str, sender: QuizSender, *, after: int | None = None, limit: int = SEND_BATCH
    ) -> int:
        """Send the question's polls to the chats it goes to that have none yet; return how many went.

        Chats go in id order, at most ``limit`` attempts per call, from the one after ``after``: when some
        remain, :class:`TriviaSendPending` is recorded to go on from the last one tried, so one delivery
        of the event stays far within the bus's time for a handler, however many fans opted in.

        Each poll is recorded as soon as Telegram answers, so a send cut short (a crash, a retry) resumes
        where it stopped; a crash between Telegram's answer and the record may send one chat a second poll
        (Telegram offers no idempotent send), whose answers count as the first's.
        """
        question = await self.get(question_id)
        if not question.takes_answers(self._clock.now()):
            return 0
        done = {poll.chat_id for poll in await self._queries.polls(question_id)}
        chats = [chat for chat in await self._chats(question) if after is None or chat > after]
        sent = 0
        for chat_id in chats[:limit]:
            if chat_id in done:
                continue
            result = await sender.send_quiz(chat_id, question)
            if result is None:
                continue
            poll_id, message_id = result
            await self.record_poll(question_id, chat_id, poll_id=poll_id, message_id=message_id)
            sent += 1
        if len(chats) > limit:
            pending = TriviaSendPending(
                **self._stamper.stamp(), question_id=question_id, after=chats[limit - 1]
            )

            async def work(uow: TriviaUnitOfWork) -> None:
                uow.record(pending)

            await self._transactions.run(work)
        return sent

    async def on_send_due(self, event: "TriviaCreated | TriviaSendPending", sender: QuizSender) -> None:
        """Send the polls a new question (or the rest of a long send) owes."""
        after = event.after if isinstance(event, TriviaSendPending) else None
        await self.send(event.question_id, sender, after=after)

    async def record_poll(
        self, question_id: str, chat_id: int, *, poll_id: str, message_id: int
    ) -> TriviaPoll:
        """Remember which question Telegram's ``poll_id`` carries (in storage: any process gets answers)."""
        poll = TriviaPoll(
            poll_id=poll_id,
            question_id=question_id,
            chat_id=chat_id,
            message_id=message_id,
            sent_at=self._clock.now(),
        )

        async def work(uow: TriviaUnitOfWork) -> TriviaPoll:
            existing = await uow.trivia.get_poll(poll_id)
            if existing is not None:
                return existing
            await uow.trivia.add_poll(poll)
            return poll

        return await self._transactions.run(work)

    async def answer(self, poll_id: str, user_id: UserId, option_ids: Sequence[int]) -> TriviaAnswer | None:
        """Take a fan's ``poll_answer``: store their first answer; reward it once if right and in time.

        Returns ``None`` for a poll that is not a trivia question's (or a retracted vote: no options).
        """
        user = checked_user_id(user_id)
        options = tuple(option_ids)
        if not options:
            return None
        return await self._transactions.run(lambda uow: self._answer(uow, poll_id, user, options))

    async def _answer(
        self, uow: TriviaUnitOfWork, poll_id: str, user: UserId, options: tuple[int, ...]
    ) -> TriviaAnswer | None:
        poll = await uow.trivia.get_poll(poll_id)
        if poll is None:
            return None
        existing = await uow.trivia.get_answer(poll.question_id, user)
        if existing is not None:
            return existing
        question = await self._existing(uow, poll.question_id)
        now = self._clock.now()
        correct = options == (question.correct_option,)
        on_time = question.takes_answers(now)
        reward = question.reward if correct and on_time else 0
        if reward:
            key = system_key("trivia", question.question_id, user)
            await self._wallet.credit_in(uow, user, reward, TRIVIA, idempotency_key=key)
        answer = TriviaAnswer(
            question_id=question.question_id,
            user_id=user,
            poll_id=poll_id,
            option_ids=options,
            correct=correct,
            on_time=on_time,
            reward=reward,
            answered_at=now,
        )
        await uow.trivia.add_answer(answer)
        uow.record(
            TriviaAnswered(
                **self._stamper.stamp(),
                question_id=question.question_id,
                user_id=user,
                correct=correct,
                on_time=on_time,
                reward=reward,
            )
        )
        return answer

    # --- helpers ----------------------------------------------------------------------------------------

    async def _chats(self, question: TriviaQuestion) -> list[int]:
        if question.group_chat_id is not None:
            return [question.group_chat_id]
        chats: list[int] = []
        after: UserId | None = None
        while True:
            page = await self._queries.fans(after=after, limit=FANS_PAGE)
            chats.extend(page)
            if len(page) < FANS_PAGE:
                return chats
            after = page[-1]

    def _checked(
        self, number: int, spec: NewQuestion, now: datetime, group: int | None, series: str | None
    ) -> TriviaQuestion:
        where = f"Pregunta {number}: "
        if not isinstance(spec.closes_at, datetime) or spec.closes_at.tzinfo is None:
            raise InvalidInputError(where + "el cierre debe llevar zona horaria.")
        if spec.closes_at <= now:
            raise InvalidInputError(where + "el cierre debe estar en el futuro.")
        try:
            return TriviaQuestion(
                question_id=self._ids.new_id(),
                text=spec.text.strip(),
                options=tuple(option.strip() for option in spec.options),
                correct_option=spec.correct_option,
                explanation=(spec.explanation or "").strip() or None,
                reward=spec.reward,
                closes_at=spec.closes_at,
                group_chat_id=group,
                series_id=series,
                created_at=now,
            )
        except ValidationError as exc:
            raise InvalidInputError(where + _spanish(exc), detail={"question": number}) from exc

    async def _audited(
        self, uow: TriviaUnitOfWork, actor: Actor | None, action: str, question: TriviaQuestion
    ) -> None:
        if actor is not None and self._audit is not None:
            detail: dict[str, JsonValue] = {
                "reward": question.reward,
                "closes_at": question.closes_at.isoformat(),
            }
            await self._audit.record_in(uow, actor, action, f"trivia:{question.question_id}", detail=detail)

    @staticmethod
    async def _existing(uow: TriviaUnitOfWork, question_id: str) -> TriviaQuestion:
        question = await uow.trivia.get_question(question_id)
        if question is None:
            raise QuestionNotFoundError(question_id[:50])
        return question


def _spanish(exc: ValidationError) -> str:
    """The first problem of a question, in the admin's words."""
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    messages = {
        "text": "el enunciado debe tener entre 1 y 300 caracteres.",
        "options": "debe tener entre 2 y 10 opciones.",
        "correct_option": "la respuesta correcta debe ser una de las opciones (contando desde 0).",
        "explanation": "la explicación no puede pasar de 200 caracteres.",
        "reward": "la recompensa debe ser un número entero de besitos entre 1 y 1000000.",
        "group_chat_id": "el id del grupo no es válido.",
    }
    if field in messages:
        return messages[field]
    text = str(error.get("msg", ""))
    if "correct option" in text:
        return messages["correct_option"]
    if "option is empty" in text:
        return "cada opción debe tener entre 1 y 100 caracteres."
    if "two options" in text:
        return "las opciones no pueden repetirse."
    return "la pregunta no es válida."
