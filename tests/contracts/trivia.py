"""Trivia on every backend: one poll per chat, a fan's first answer kept, the right one rewarded once.

A quiz sender that records what it sends stands for Telegram here (the fake Bot API server proves the real
one in the integration suite).
"""

import asyncio
import dataclasses
from datetime import timedelta
from typing import Final

import pytest

from tests.contracts.base import ContractBase
from tests.contracts.common import ALICE, BOB, recorded_events
from yabot_adapters.storage import StorageBackend
from yabot_core.kernel import FakeClock, InvalidInputError, SequentialIds, UserId
from yabot_core.trivia import (
    NewQuestion,
    QuestionNotFoundError,
    Trivia,
    TriviaAnswered,
    TriviaQuestion,
    TriviaSendPending,
)
from yabot_core.wallet import WalletService

CAROL: Final = UserId(1003)
GROUP: Final = -100123


class RecordingQuizSender:
    """Sends nothing: numbers each poll and remembers which chat got which question (none to unreachable)."""

    def __init__(self, unreachable: set[int] | None = None) -> None:
        self.sent: list[tuple[int, str]] = []
        self.unreachable = unreachable or set()

    async def send_quiz(self, chat_id: int, question: TriviaQuestion) -> tuple[str, int] | None:
        if chat_id in self.unreachable:
            return None
        self.sent.append((chat_id, question.question_id))
        return f"poll-{len(self.sent)}", len(self.sent)


def question(clock: FakeClock, *, minutes: int = 10, reward: int = 5) -> NewQuestion:
    return NewQuestion(
        text="¿De qué color es la rosa de Diana?",
        options=("Roja", "Blanca", "Negra"),
        correct_option=2,
        explanation="Negra, como su vestido favorito.",
        reward=reward,
        closes_at=clock.now() + timedelta(minutes=minutes),
    )


class TriviaContract(ContractBase):
    """What every backend's trivia slice must do, through the service."""

    @pytest.fixture(name="trivia")
    def trivia_fixture(self, storage: StorageBackend, clock: FakeClock) -> Trivia:
        ids = SequentialIds("t")
        wallet = WalletService(storage.transactions, storage.wallet_queries, clock, ids)
        return Trivia(storage.transactions, storage.trivia_queries, wallet, clock=clock, ids=ids)

    @pytest.fixture(name="wallet")
    def wallet_fixture(self, storage: StorageBackend, clock: FakeClock) -> WalletService:
        return WalletService(storage.transactions, storage.wallet_queries, clock, SequentialIds("w"))

    async def test_polls_go_to_opted_in_fans_once_each(self, trivia: Trivia, clock: FakeClock) -> None:
        """Only fans who opted in get the poll; sending again sends no second poll to anyone."""
        await trivia.set_opt_in(ALICE, enabled=True)
        await trivia.set_opt_in(BOB, enabled=True)
        await trivia.set_opt_in(BOB, enabled=False)
        await trivia.set_opt_in(CAROL, enabled=True)
        made = await trivia.create(question(clock))
        sender = RecordingQuizSender()
        assert await trivia.send(made.question_id, sender) == 2
        assert await trivia.send(made.question_id, sender) == 0
        assert sorted(chat for chat, _ in sender.sent) == [ALICE, CAROL]
        assert await trivia.opted_in(ALICE)
        assert not await trivia.opted_in(BOB)

    async def test_a_long_send_goes_on_in_batches_past_unreachable_chats(
        self, trivia: Trivia, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Two chats per batch: the first batch records where to go on, the next sends the rest, each once."""
        for fan in (ALICE, BOB, CAROL):
            await trivia.set_opt_in(fan, enabled=True)
        made = await trivia.create(question(clock))
        sender = RecordingQuizSender(unreachable={ALICE})
        assert await trivia.send(made.question_id, sender, limit=2) == 1
        (pending,) = [e for e in await recorded_events(storage) if isinstance(e, TriviaSendPending)]
        assert pending.after == BOB
        await trivia.on_send_due(pending, sender)
        assert [chat for chat, _ in sender.sent] == [BOB, CAROL]
        assert len([e for e in await recorded_events(storage) if isinstance(e, TriviaSendPending)]) == 1

    async def test_only_a_right_answer_in_time_is_rewarded_and_only_once(
        self, trivia: Trivia, wallet: WalletService, storage: StorageBackend, clock: FakeClock
    ) -> None:
        """Right in time: rewarded once though answered twice; wrong: nothing; right but late: nothing."""
        made = await trivia.create(question(clock, reward=7), group_chat_id=GROUP)
        sender = RecordingQuizSender()
        await trivia.send(made.question_id, sender)
        poll = "poll-1"
        first = await trivia.answer(poll, ALICE, [2])
        again = await trivia.answer(poll, ALICE, [2])
        wrong = await trivia.answer(poll, BOB, [0])
        clock.advance(timedelta(minutes=10))
        late = await trivia.answer(poll, CAROL, [2])
        assert first is not None
        assert first.reward == 7
        assert again == first
        assert wrong is not None
        assert (wrong.correct, wrong.reward) == (False, 0)
        assert late is not None
        assert (late.correct, late.on_time, late.reward) == (True, False, 0)
        assert [(await wallet.balance(u)).balance for u in (ALICE, BOB, CAROL)] == [7, 0, 0]
        assert await trivia.answer("not-ours", ALICE, [2]) is None
        results = await trivia.results(made.question_id)
        assert (results.polls, results.answers, results.rewarded, results.late, results.wrong) == (
            1,
            3,
            1,
            1,
            1,
        )
        assert results.per_option == (1, 0, 2)
        answered = [e for e in await recorded_events(storage) if isinstance(e, TriviaAnswered)]
        assert len(answered) == 3

    async def test_fifty_copies_of_one_answer_at_once_reward_once(
        self, trivia: Trivia, wallet: WalletService, clock: FakeClock
    ) -> None:
        """A redelivered poll_answer, fifty times at once, pays once."""
        made = await trivia.create(question(clock), group_chat_id=GROUP)
        await trivia.send(made.question_id, RecordingQuizSender())
        await asyncio.gather(*(trivia.answer("poll-1", ALICE, [2]) for _ in range(50)))
        assert (await wallet.balance(ALICE)).balance == 5

    async def test_a_cancelled_question_rewards_nobody(
        self, trivia: Trivia, wallet: WalletService, clock: FakeClock
    ) -> None:
        """After cancelling, a right answer earns nothing, and no poll is sent."""
        made = await trivia.create(question(clock), group_chat_id=GROUP)
        await trivia.send(made.question_id, RecordingQuizSender())
        await trivia.cancel(made.question_id)
        answer = await trivia.answer("poll-1", ALICE, [2])
        assert answer is not None
        assert answer.reward == 0
        assert await trivia.send(made.question_id, RecordingQuizSender()) == 0
        assert (await wallet.balance(ALICE)).balance == 0
        with pytest.raises(QuestionNotFoundError):
            await trivia.cancel("nope")

    async def test_a_series_is_created_whole_or_not_at_all(self, trivia: Trivia, clock: FakeClock) -> None:
        """A bad question in a series names itself in Spanish, and none of the series is kept."""
        good = question(clock)
        bad = dataclasses.replace(good, correct_option=5)
        with pytest.raises(InvalidInputError, match="Pregunta 2"):
            await trivia.create_series([good, bad])
        assert await trivia.questions() == []
        made = await trivia.create_series([good, dataclasses.replace(good, text="¿Y la otra?")])
        assert {q.series_id for q in made} == {made[0].series_id}
        assert made[0].series_id is not None
