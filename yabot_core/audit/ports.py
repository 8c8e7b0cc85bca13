"""What the audit log needs from storage: appending inside a unit of work, and reading pages."""

from datetime import datetime
from typing import Protocol

from yabot_core.audit.models import Actor, AuditEntry, AuditPage
from yabot_core.kernel import UnitOfWork


class AuditRepository(Protocol):
    """The audit log inside a unit of work: an entry commits with the action it records, or not at all."""

    async def append(self, entry: AuditEntry) -> None:
        """Store ``entry`` (ids are unique; entries are never changed or removed)."""
        ...


class AuditUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that can write to the audit log."""

    @property
    def audit(self) -> AuditRepository:
        """The audit log of this transaction."""
        ...


class AuditQueries(Protocol):
    """Committed audit entries, for operators."""

    async def page(
        self,
        *,
        limit: int,
        offset: int,
        target: str | None = None,
        since: datetime | None = None,
        actor: Actor | None = None,
    ) -> AuditPage:
        """Return a page of entries, newest first, with their count; each filter given narrows it.

        ``target``: of that target only; ``since``: written at or after that time; ``actor``: by that
        actor (kind and name) only.

        Entries of the same instant come by id, highest first. The page and the count come from one
        snapshot.
        """
        ...


class AuditStorage(Protocol):
    """What a storage backend offers the audit log besides its unit of work."""

    @property
    def audit_queries(self) -> AuditQueries:
        """Committed entries."""
        ...
