"""The audit log in memory: the audit module's slice."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.audit import Actor, AuditEntry, AuditPage, AuditQueries, AuditRepository
from yabot_core.kernel import ConcurrentUpdateError


@dataclass
class AuditState:
    """Committed entries by id."""

    entries: dict[str, AuditEntry] = field(default_factory=dict)


class InMemoryAuditRepository(AuditRepository):
    """The audit log of one in-memory unit of work: appends are staged."""

    def __init__(self, state: AuditState) -> None:
        self._state = state
        self._staged: dict[str, AuditEntry] = {}

    async def append(self, entry: AuditEntry) -> None:
        if entry.entry_id in self._staged or entry.entry_id in self._state.entries:
            raise ConcurrentUpdateError(detail={"entry_id": entry.entry_id})
        self._staged[entry.entry_id] = entry

    def apply(self) -> None:
        self._state.entries.update(self._staged)


class InMemoryAuditQueries(AuditQueries):
    """Pages of committed entries (reads never await: each is one snapshot)."""

    def __init__(self, state: AuditState) -> None:
        self._state = state

    async def page(
        self,
        *,
        limit: int,
        offset: int,
        target: str | None = None,
        since: datetime | None = None,
        actor: Actor | None = None,
    ) -> AuditPage:
        found = [
            entry
            for entry in self._state.entries.values()
            if (target is None or entry.target == target)
            and (since is None or entry.created_at >= since)
            and (actor is None or entry.actor == actor)
        ]
        found.sort(key=lambda entry: (entry.created_at, entry.entry_id), reverse=True)
        entries = tuple(islice(found, offset, offset + limit))
        return AuditPage(entries=entries, total=len(found), limit=limit, offset=offset)


SLICE = MemorySlice(
    name="audit",
    state=AuditState,
    repository=InMemoryAuditRepository,
    queries={"audit_queries": InMemoryAuditQueries},
)
