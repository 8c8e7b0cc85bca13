"""How a module keeps its data in the in-memory backend: its committed state, a staged repository, queries.

A unit of work stages every write in its repository's overlay; committing applies every repository's overlay
at once, without awaiting, so a failed work leaves no trace and a commit is atomic on the event loop.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class StagedRepository(Protocol):
    """A repository of one unit of work: reads see committed state plus its own staged writes."""

    def apply(self) -> None:
        """Write the staged changes into the committed state (called only by a successful commit)."""
        ...


class Overlay(Generic[K, V]):
    """One unit of work's writes to a committed mapping, kept aside until it commits.

    Reads see the staged value of a key, else the committed one; ``apply`` writes the staged values over the
    committed mapping. A keyed repository that only gets and saves is one of these behind its port's names.
    """

    __slots__ = ("_committed", "_staged")

    def __init__(self, committed: dict[K, V]) -> None:
        self._committed = committed
        self._staged: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        """The value staged for ``key``, else the committed one, else ``None``."""
        return self._staged[key] if key in self._staged else self._committed.get(key)

    def stage(self, key: K, value: V) -> None:
        """Set ``key`` to ``value`` for this unit of work only."""
        self._staged[key] = value

    def apply(self) -> None:
        """Write the staged values into the committed mapping (called only by a successful commit)."""
        self._committed.update(self._staged)


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
