"""In-memory ends of the outgoing ports of posts and broadcasts: channels and private chats kept in lists.

Complete adapters, not mocks: a channel hands out message ids and forgets deleted messages; a chat refuses a
fan who blocked the bot. Tests (and ``--ephemeral`` runs) read what was sent; they can make Telegram "away"
for a number of sends, or leave a send unanswered.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from yabot_core.broadcasts import Notifier
from yabot_core.kernel import UnavailableError, UserId
from yabot_core.lucien import DeliveryUncertainError, RecipientUnreachableError
from yabot_core.posts import ChannelPublisher, PostChannel, PostContent, PublishRefusedError


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """A message in an in-memory channel."""

    message_id: int
    content: PostContent
    protect: bool


class InMemoryChannels(ChannelPublisher):
    """The free and VIP channels as lists of messages."""

    def __init__(self) -> None:
        self.messages: dict[PostChannel, dict[int, ChannelMessage]] = {channel: {} for channel in PostChannel}
        self._next_id = 1
        self.away = 0
        """Sends still to answer "Telegram is away" (not published)."""
        self.refuse: str | None = None
        """When set, every publication is refused for good with this reason."""
        self.unanswered = 0
        """Sends still to publish and then leave unanswered (:class:`DeliveryUncertainError`)."""

    async def publish(self, channel: PostChannel, content: PostContent, *, protect: bool) -> Sequence[int]:
        await asyncio.sleep(0)
        if self.refuse is not None:
            raise PublishRefusedError(self.refuse)
        if self.away > 0:
            self.away -= 1
            raise UnavailableError("Telegram no responde en este momento.")
        ids = []
        for _ in content.media or (None,):
            message_id = self._next_id
            self._next_id += 1
            self.messages[channel][message_id] = ChannelMessage(message_id, content, protect)
            ids.append(message_id)
        if self.unanswered > 0:
            self.unanswered -= 1
            raise DeliveryUncertainError(UserId(1))
        return ids

    async def delete(self, channel: PostChannel, message_ids: Sequence[int]) -> None:
        await asyncio.sleep(0)
        if self.away > 0:
            self.away -= 1
            raise UnavailableError("Telegram no responde en este momento.")
        for message_id in message_ids:
            self.messages[channel].pop(message_id, None)

    def posts(self, channel: PostChannel) -> list[ChannelMessage]:
        """The messages in ``channel`` now, oldest first."""
        return sorted(self.messages[channel].values(), key=lambda message: message.message_id)


@dataclass
class InMemoryChats(Notifier):
    """Fans' private chats as lists of (text, protected) received."""

    received: dict[UserId, list[tuple[str, bool]]] = field(default_factory=dict)
    blocked: set[UserId] = field(default_factory=set)
    """Fans who blocked the bot: Telegram's 403."""
    away: int = 0
    """Sends still to answer "not now" after the turn came (not sent)."""
    unanswered: set[UserId] = field(default_factory=set)
    """Fans whose message arrives but is never answered."""
    delay: float = 0.0
    """Seconds each send waits for its answer (after it arrived)."""
    hang_after: int | None = None
    """Once this many messages arrived, every later one arrives and is never answered (a dying process)."""
    _arrived: asyncio.Condition | None = field(default=None, repr=False)

    async def send(
        self,
        user_id: UserId,
        text: str,
        *,
        on_turn: Callable[[], Awaitable[None]] | None = None,
        protect: bool = False,
    ) -> None:
        await asyncio.sleep(0)
        if on_turn is not None:
            await on_turn()
        if user_id in self.blocked:
            raise RecipientUnreachableError(user_id, "ha bloqueado el bot")
        if self.away > 0:
            self.away -= 1
            raise UnavailableError("Telegram no responde en este momento.")
        self.received.setdefault(user_id, []).append((text, protect))
        async with self._condition():
            self._condition().notify_all()
        if self.hang_after is not None and self.total() > self.hang_after:
            await asyncio.Event().wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        if user_id in self.unanswered:
            raise DeliveryUncertainError(user_id)

    async def wait_for(self, count: int) -> None:
        """Return once ``count`` messages in all have arrived (callers bound it with a timeout)."""
        async with self._condition():
            await self._condition().wait_for(lambda: self.total() >= count)

    def _condition(self) -> asyncio.Condition:
        if self._arrived is None:
            self._arrived = asyncio.Condition()
        return self._arrived

    def total(self) -> int:
        """Messages delivered, all fans together."""
        return sum(len(texts) for texts in self.received.values())
