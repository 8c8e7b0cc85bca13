"""How a module keeps its data in the SQLite backend: its numbered migrations, its repository, its queries.

Each module's schema evolves on its own: the file records, per module, how many of its migrations it has
applied (``schema_versions``), so adding a module or a migration to one never renumbers another's.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yabot_adapters.sqlite.connection import Reader
    from yabot_adapters.sqlite.session import Session
    from yabot_adapters.sqlite.writer import GroupCommitWriter


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of a module's schema: ``up`` brings it from version n-1 to n, ``down`` takes it back."""

    up: str
    down: str


@dataclass(frozen=True, slots=True)
class SqliteSlice:
    """One module's part of the SQLite backend.

    ``name`` is its repository's attribute on a unit of work (``uow.wallets``) and its key in
    ``schema_versions``; ``migrations`` are its steps, 1-based, append only (never edit a released one);
    ``repository`` makes a unit of work's repository over the writer session; ``queries`` names the
    backend's read-only views and how to make each from the reader (and the writer, for the few that write
    outside units of work, such as the outbox's acknowledgements).
    """

    name: str
    migrations: tuple[Migration, ...]
    repository: Callable[["Session"], object]
    queries: Mapping[str, Callable[["Reader", "GroupCommitWriter"], object]] = field(default_factory=dict)

    @property
    def latest(self) -> int:
        """The version this code brings the module to."""
        return len(self.migrations)
