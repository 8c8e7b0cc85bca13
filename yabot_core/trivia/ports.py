"""What the trivia needs: storage for questions, polls, answers and fans; a way to send quiz polls."""

from collections.abc import Sequence
from typing import Protocol

from yabot_core.audit import AuditUnitOfWork
from yabot_core.kernel import UserId
from yabot_core.trivia.models import TriviaAnswer, TriviaFan, TriviaPoll, TriviaQuestion
from yabot_core.wallet import WalletUnitOfWork


class TriviaRepository(Protocol):
    """Questions, polls, answers and fans' choices inside one transaction."""

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        """Return the question, or ``None``."""
        ...

    async def save_question(self, question: TriviaQuestion) -> None:
        """Store ``question`` over the version it was read at (``version - 1``; none for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is not ``question.version - 1``. Transient: retried.
        """
        ...

    async def get_poll(self, poll_id: str) -> TriviaPoll | None:
        """Return the poll Telegram named ``poll_id``, or ``None`` (not ours, or not recorded)."""
        ...

    async def add_poll(self, poll: TriviaPoll) -> None:
        """Store ``poll``.

        Raises:
            ConcurrentUpdateError: a poll with that id, or of that question in that chat, exists.
        """
        ...

    async def get_answer(self, question_id: str, user_id: UserId) -> TriviaAnswer | None:
        """Return the fan's answer to the question, or ``None``."""
        ...

    async def add_answer(self, answer: TriviaAnswer) -> None:
        """Store ``answer``.

        Raises:
            ConcurrentUpdateError: the fan's answer to that question exists (another transaction stored it
                first). Transient: the retried work finds it. This is what makes the reward once.
        """
        ...

    async def get_fan(self, user_id: UserId) -> TriviaFan | None:
        """Return the fan's choice, or ``None`` if they never chose."""
        ...

    async def save_fan(self, fan: TriviaFan) -> None:
        """Store ``fan`` over the version it was read at.

        Raises:
            ConcurrentUpdateError: the stored version is not ``fan.version - 1``. Transient: retried.
        """
        ...


class TriviaUnitOfWork(WalletUnitOfWork, AuditUnitOfWork, Protocol):
    """A unit of work reaching the trivia, wallets and the audit log.

    An answer and its reward commit at once; an admin's action is logged with it.
    """

    @property
    def trivia(self) -> TriviaRepository:
        """The trivia of this transaction."""
        ...


class TriviaQueries(Protocol):
    """Read-only views of the trivia, outside any transaction (committed data only)."""

    async def get_question(self, question_id: str) -> TriviaQuestion | None:
        """Return the committed question, or ``None``."""
        ...

    async def questions(self, *, limit: int = 50) -> Sequence[TriviaQuestion]:
        """Return up to ``limit`` questions, the latest to close first."""
        ...

    async def polls(self, question_id: str) -> Sequence[TriviaPoll]:
        """Return the question's polls."""
        ...

    async def answers(self, question_id: str) -> Sequence[TriviaAnswer]:
        """Return every answer to the question."""
        ...

    async def fans(self, *, after: UserId | None = None, limit: int = 500) -> Sequence[UserId]:
        """Return up to ``limit`` fans who want the trivia, by id, after ``after``."""
        ...


class TriviaStorage(Protocol):
    """What a storage backend offers the trivia besides its unit of work."""

    @property
    def trivia_queries(self) -> TriviaQueries:
        """Committed questions, polls, answers and fans."""
        ...


class QuizSender(Protocol):
    """Sends a question as a non-anonymous quiz poll (Telegram reports answers only for those).

    Raises ``UnavailableError`` when Telegram is away (retry later); a chat that blocked the bot raises
    ``RecipientUnreachableError``-like errors the caller skips.
    """

    async def send_quiz(self, chat_id: int, question: TriviaQuestion) -> tuple[str, int] | None:
        """Send the poll; return ``(poll_id, message_id)``, or ``None`` when the chat cannot be reached."""
        ...
