"""What the reactions need: storage of fans' reactions and daily counts, and a way to publish posts."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from yabot_core.inventory import InventoryUnitOfWork
from yabot_core.kernel import UserId
from yabot_core.reactions.models import PostReaction, ReactionDay
from yabot_core.wallet import WalletUnitOfWork


class ReactionRepository(Protocol):
    """Fans' reactions and their daily counts, read and written inside one transaction."""

    async def get(self, user_id: UserId, chat_id: int, message_id: int) -> PostReaction | None:
        """Return the fan's reaction to the message, or ``None`` if they never reacted to it."""
        ...

    async def save(self, reaction: PostReaction) -> None:
        """Store ``reaction`` over the version it was read at: ``reaction.version - 1`` (none, for 1).

        Raises:
            ConcurrentUpdateError: the stored version is not ``reaction.version - 1``. Transient: retried.
        """
        ...

    async def day(self, user_id: UserId, day: date) -> ReactionDay | None:
        """Return how many of the fan's reactions paid on ``day``, or ``None`` if none did."""
        ...

    async def save_day(self, record: ReactionDay) -> None:
        """Store ``record`` over the version it was read at, as :meth:`save`.

        Raises:
            ConcurrentUpdateError: the stored version is not ``record.version - 1``. Transient: retried.
        """
        ...


class ReactionsUnitOfWork(WalletUnitOfWork, InventoryUnitOfWork, Protocol):
    """A unit of work over reactions, wallets and mochilas: a reaction and what it pays commit together."""

    @property
    def reactions(self) -> ReactionRepository:
        """The reactions of this transaction."""
        ...


class ReactionQueries(Protocol):
    """Read-only views of reactions (committed data only)."""

    async def tally(self, chat_id: int, message_id: int) -> Mapping[str, int]:
        """How many fans react to the message with each emoji now (removed reactions do not count)."""
        ...


class ReactionStorage(Protocol):
    """What a storage backend offers the reactions besides its unit of work."""

    @property
    def reaction_queries(self) -> ReactionQueries:
        """Committed reactions."""
        ...


class PostPublisher(Protocol):
    """Publishes a text post in a chat with one reaction button per emoji, and refreshes their counts."""

    async def publish(
        self, chat_id: int, text: str, buttons: Sequence[str], *, protect_content: bool = False
    ) -> int:
        """Send ``text`` to ``chat_id`` with ``buttons`` (each at 0) under it; return the message's id.

        Raises:
            UnavailableError: Telegram could not be reached or refused for now.
            InvalidInputError: Telegram refused the chat or the text (a Spanish reason).
        """
        ...
