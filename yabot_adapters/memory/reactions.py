"""Fans' reactions and their daily counts in memory: the reactions module's slice."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.reactions import PostReaction, ReactionDay, ReactionQueries, ReactionRepository

_Key = tuple[UserId, int, int]


@dataclass
class ReactionsState:
    """Committed reactions by (user, chat, message); paid counts by (user, day)."""

    reactions: dict[_Key, PostReaction] = field(default_factory=dict)
    days: dict[tuple[UserId, date], ReactionDay] = field(default_factory=dict)


class InMemoryReactionRepository(ReactionRepository):
    """The reactions of one in-memory unit of work: writes are staged."""

    def __init__(self, state: ReactionsState) -> None:
        self._reactions = Overlay(state.reactions)
        self._days = Overlay(state.days)

    async def get(self, user_id: UserId, chat_id: int, message_id: int) -> PostReaction | None:
        return self._reactions.get((user_id, chat_id, message_id))

    async def save(self, reaction: PostReaction) -> None:
        key = (reaction.user_id, reaction.chat_id, reaction.message_id)
        current = self._reactions.get(key)
        if (current.version if current else 0) != reaction.version - 1:
            raise ConcurrentUpdateError(
                detail={"user_id": reaction.user_id, "message_id": reaction.message_id}
            )
        self._reactions.stage(key, reaction)

    async def day(self, user_id: UserId, day: date) -> ReactionDay | None:
        return self._days.get((user_id, day))

    async def save_day(self, record: ReactionDay) -> None:
        key = (record.user_id, record.day)
        current = self._days.get(key)
        if (current.version if current else 0) != record.version - 1:
            raise ConcurrentUpdateError(detail={"user_id": record.user_id, "day": record.day.isoformat()})
        self._days.stage(key, record)

    def apply(self) -> None:
        self._reactions.apply()
        self._days.apply()


class InMemoryReactionQueries(ReactionQueries):
    """Reactions from committed state."""

    def __init__(self, state: ReactionsState) -> None:
        self._state = state

    async def tally(self, chat_id: int, message_id: int) -> Mapping[str, int]:
        return dict(
            Counter(
                reaction.emoji
                for (_, chat, message), reaction in self._state.reactions.items()
                if chat == chat_id and message == message_id and reaction.emoji is not None
            )
        )


SLICE = MemorySlice(
    name="reactions",
    state=ReactionsState,
    repository=InMemoryReactionRepository,
    queries={"reaction_queries": InMemoryReactionQueries},
)
