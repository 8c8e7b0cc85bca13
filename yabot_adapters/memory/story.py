"""Story progress in memory: the story module's slice."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yabot_adapters.memory.slice import MemorySlice, Overlay
from yabot_core.kernel import ConcurrentUpdateError, UserId
from yabot_core.story import FragmentId, StoryId, StoryProgress, StoryQueries, StoryRepository


@dataclass
class StoryState:
    """Committed progress by (fan, story)."""

    progress: dict[tuple[UserId, StoryId], StoryProgress] = field(default_factory=dict)


class InMemoryStoryRepository(StoryRepository):
    """Progress in one in-memory unit of work."""

    def __init__(self, state: StoryState) -> None:
        self._progress = Overlay(state.progress)

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        return self._progress.get((user_id, story_id))

    async def save(self, progress: StoryProgress) -> None:
        current = self._progress.get((progress.user_id, progress.story_id))
        if (current.revision if current else 0) != progress.revision - 1:
            raise ConcurrentUpdateError(detail={"user_id": progress.user_id, "story_id": progress.story_id})
        self._progress.stage((progress.user_id, progress.story_id), progress)

    def apply(self) -> None:
        self._progress.apply()


class InMemoryStoryQueries(StoryQueries):
    """Committed progress."""

    def __init__(self, state: StoryState) -> None:
        self._state = state

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        return self._state.progress.get((user_id, story_id))

    async def of_user(self, user_id: UserId) -> Sequence[StoryProgress]:
        mine = [progress for (user, _), progress in self._state.progress.items() if user == user_id]
        return sorted(mine, key=lambda progress: (progress.updated_at, progress.story_id), reverse=True)

    async def fans_by_fragment(self, story_id: StoryId) -> Mapping[FragmentId, int]:
        return Counter(
            progress.current for (_, story), progress in self._state.progress.items() if story == story_id
        )


SLICE = MemorySlice(
    name="story",
    state=StoryState,
    repository=InMemoryStoryRepository,
    queries={"story_queries": InMemoryStoryQueries},
)
