"""How a module keeps its data in the in-memory backend: its committed state, a staged repository, queries.

A unit of work stages every write in its repository's overlay; committing applies every repository's overlay
at once, without awaiting, so a failed work leaves no trace and a commit is atomic on the event loop.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class StagedRepository(Protocol):
    """A repository of one unit of work: reads see committed state plus its own staged writes."""

    def apply(self) -> None:
        """Write the staged changes into the committed state (called only by a successful commit)."""
        ...


@dataclass(frozen=True, slots=True)
class MemorySlice:
    """One module's part of the in-memory backend.

    ``name`` is the repository's attribute on a unit of work (``uow.wallets``); ``state`` makes the module's
    committed state once per backend; ``repository`` makes a unit of work's repository over it; ``queries``
    names the backend's read-only views (``storage.wallet_queries``) and how to make each from the state.
    """

    name: str
    state: Callable[[], Any]
    repository: Callable[[Any], StagedRepository]
    queries: Mapping[str, Callable[[Any], object]] = field(default_factory=dict)
