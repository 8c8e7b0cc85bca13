"""What the story needs from storage: progress in a unit of work beside wallet, mochila, Lucien; queries."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from yabot_core.inventory import InventoryUnitOfWork
from yabot_core.kernel import UserId
from yabot_core.lucien import LucienUnitOfWork
from yabot_core.story.fields import FragmentId, StoryId
from yabot_core.story.models import StoryProgress
from yabot_core.wallet import WalletUnitOfWork


class StoryRepository(Protocol):
    """Progress records, read and written inside one transaction."""

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        """Return the fan's progress in the story, or ``None`` if they never started it."""
        ...

    async def save(self, progress: StoryProgress) -> None:
        """Store ``progress`` over the revision it was read at: ``progress.revision - 1`` (none, for 1).

        Raises:
            ConcurrentUpdateError: the stored record is not at ``progress.revision - 1`` (another transaction
                moved it, or created it first). Transient: the work is retried from scratch.
        """
        ...


class StoryUnitOfWork(LucienUnitOfWork, WalletUnitOfWork, InventoryUnitOfWork, Protocol):
    """A unit of work that reaches progress, and the wallet, mochila and Lucien a decision's effects touch."""

    @property
    def story(self) -> StoryRepository:
        """The progress records of this transaction."""
        ...


class StoryQueries(Protocol):
    """Read-only views of progress, outside any transaction (committed data only)."""

    async def get(self, user_id: UserId, story_id: StoryId) -> StoryProgress | None:
        """Return the fan's committed progress in the story, or ``None``."""
        ...

    async def of_user(self, user_id: UserId) -> Sequence[StoryProgress]:
        """Return every story the fan started, the most recently moved first."""
        ...

    async def fans_by_fragment(self, story_id: StoryId) -> Mapping[FragmentId, int]:
        """Return how many fans stand at each fragment of the story (fragments with none are left out).

        For ``yabot story check --almacen``: how many fans a new version moves off each removed fragment.
        """
        ...


class StoryStorage(Protocol):
    """What a storage backend offers the story besides its unit of work."""

    @property
    def story_queries(self) -> StoryQueries:
        """Committed progress."""
        ...
