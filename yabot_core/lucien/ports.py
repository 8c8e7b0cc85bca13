"""What Lucien needs: a way to reach users, what users are like right now, and storage for his messages."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from yabot_core.kernel import TimersUnitOfWork, UserId
from yabot_core.lucien.models import LucienMessage
from yabot_core.users import UsersUnitOfWork


class Messenger(Protocol):
    """Delivers a text (Telegram HTML) to a user's private chat, within Telegram's limits.

    Raises:
        RecipientUnreachableError: the user blocked the bot or never started it (retrying will not help).
        UnavailableError: Telegram is unreachable or asked us to slow down longer than we wait; the message
            was not sent, retry later.
        DeliveryUncertainError: the request may have reached Telegram, but no answer came: sending again
            could deliver it twice.
    """

    async def send(
        self,
        user_id: UserId,
        text: str,
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,
        protect: bool = False,
    ) -> None:
        """Send ``text`` to ``user_id``; return once Telegram accepted it.

        ``protect`` asks Telegram to forbid forwarding and saving it (``protect_content``): VIP content.

        ``on_turn`` is awaited once, when the message's turn has come (after any wait in the rate limits),
        right before Telegram is asked: a sender that records "being sent" there loses nothing that was still
        waiting in line when its process died. If ``on_turn`` raises, nothing is sent; the error propagates.
        """
        ...


ProtectionRule = Callable[[UserId], Awaitable[bool]]
"""Whether what Lucien sends a user must be protected (``protect_content``): a VIP's messages carry VIP
content. Modules that know register one with :meth:`Lucien.protect_for`."""


class UserContext(Protocol):
    """What Lucien may mention about a user when he speaks: their name, their besitos, their VIP days...

    Each module that knows something about users contributes variables (the application composes them).
    """

    def names(self) -> frozenset[str]:
        """The names of the variables :meth:`variables` returns (to check an operator's text early)."""
        ...

    async def variables(self, user_id: UserId) -> Mapping[str, object]:
        """Return the variables for ``user_id``, by name (Spanish, as the texts use them)."""
        ...


class LucienRepository(Protocol):
    """Lucien's messages inside a unit of work."""

    async def get(self, key: str) -> LucienMessage | None:
        """Return the message, or ``None``."""
        ...

    async def save(self, message: LucienMessage) -> None:
        """Insert the message, or replace it by key."""
        ...


class LucienUnitOfWork(TimersUnitOfWork, UsersUnitOfWork, Protocol):
    """A unit of work reaching Lucien's messages, timers and users."""

    @property
    def lucien(self) -> LucienRepository:
        """Lucien's messages of this transaction."""
        ...


class LucienQueries(Protocol):
    """Committed messages, for operators."""

    async def get(self, key: str) -> LucienMessage | None:
        """Return the message, or ``None``."""
        ...

    async def recent(self, *, user_id: UserId | None = None, limit: int = 50) -> Sequence[LucienMessage]:
        """Return messages newest due first (of one user, if given)."""
        ...


class LucienStorage(Protocol):
    """What a storage backend offers Lucien besides its unit of work."""

    @property
    def lucien_queries(self) -> LucienQueries:
        """Committed messages."""
        ...
