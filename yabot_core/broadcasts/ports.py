"""What broadcasts need: storage for broadcasts, recipients and preferences; an audience; a sender."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from yabot_core.audit import AuditUnitOfWork
from yabot_core.broadcasts.models import (
    Audience,
    Broadcast,
    NotificationPreferences,
    Recipient,
    RecipientState,
)
from yabot_core.kernel import UserId


class BroadcastRepository(Protocol):
    """Broadcasts, their recipients and fans' preferences inside one transaction."""

    async def get(self, broadcast_id: str) -> Broadcast | None:
        """Return the broadcast, or ``None``."""
        ...

    async def save(self, broadcast: Broadcast) -> None:
        """Store ``broadcast`` over the version it was read at (``version - 1``; none for version 1).

        Raises:
            ConcurrentUpdateError: the stored version is another. Transient: the work is retried.
        """
        ...

    async def add_recipients(self, broadcast_id: str, user_ids: Sequence[UserId]) -> int:
        """Write down ``user_ids`` as pending recipients; ones already there are left as they are.

        Returns how many were new.
        """
        ...

    async def recipient(self, broadcast_id: str, user_id: UserId) -> Recipient | None:
        """Return that recipient, or ``None``."""
        ...

    async def save_recipient(self, recipient: Recipient) -> None:
        """Store the recipient's state (it must have been added)."""
        ...

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        """Return the fan's preferences (version 0, nothing opted out, if never stored)."""
        ...

    async def save_preferences(self, preferences: NotificationPreferences) -> None:
        """Store them over the version read (``version - 1``).

        Raises:
            ConcurrentUpdateError: the stored version is another. Transient: the work is retried.
        """
        ...


class BroadcastsUnitOfWork(AuditUnitOfWork, Protocol):
    """A unit of work reaching broadcasts (and the audit log)."""

    @property
    def broadcasts(self) -> BroadcastRepository:
        """The broadcasts of this transaction."""
        ...


class BroadcastQueries(Protocol):
    """Committed broadcasts, recipients and preferences."""

    async def get(self, broadcast_id: str) -> Broadcast | None:
        """Return the broadcast, or ``None``."""
        ...

    async def listing(self, *, limit: int) -> Sequence[Broadcast]:
        """Return up to ``limit`` broadcasts, latest start first, ties by id."""
        ...

    async def runnable(self, now: datetime, *, limit: int) -> Sequence[Broadcast]:
        """Return up to ``limit`` broadcasts still to send (programada or enviando) starting by ``now``.

        Soonest start first, ties by id. Leases are not looked at: taking one decides.
        """
        ...

    async def recipients(
        self, broadcast_id: str, state: RecipientState, *, after: UserId | None, limit: int
    ) -> Sequence[Recipient]:
        """Return up to ``limit`` recipients in ``state`` with user id above ``after``, by user id."""
        ...

    async def counts(self, broadcast_id: str) -> Mapping[RecipientState, int]:
        """Return how many recipients are in each state (states with none may be left out)."""
        ...

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        """Return the fan's committed preferences (version 0 if never stored)."""
        ...


class BroadcastStorage(Protocol):
    """What a storage backend offers broadcasts besides its unit of work."""

    @property
    def broadcast_queries(self) -> BroadcastQueries:
        """Committed broadcasts."""
        ...


class AudienceSource(Protocol):
    """Who is in an audience right now (composed by the application from the modules that know)."""

    async def members(self, audience: Audience, now: datetime) -> Sequence[UserId]:
        """Return the fans of ``audience`` at ``now``, ascending, without repeats."""
        ...


class Notifier(Protocol):
    """Sends a text (Telegram HTML) to a fan's private chat within Telegram's limits (the Messenger's rules).

    Raises:
        RecipientUnreachableError: the fan blocked the bot or never started it.
        UnavailableError: not sent (Telegram away, or flood control longer than waited); try later.
        DeliveryUncertainError: asked, never answered: it may have arrived.
    """

    async def send(
        self,
        user_id: UserId,
        text: str,
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,
        protect: bool = False,
    ) -> None:
        """Send ``text``; ``on_turn`` is awaited right before Telegram is asked (raising: nothing sent).

        ``protect`` asks Telegram to forbid forwarding and saving it (``protect_content``).
        """
        ...
