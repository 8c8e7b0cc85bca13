"""What the API keys module needs from storage."""

from collections.abc import Sequence
from typing import Protocol

from yabot_core.apikeys.models import ApiKey
from yabot_core.audit import AuditUnitOfWork


class ApiKeyRepository(Protocol):
    """Keys inside a unit of work."""

    async def get(self, key_id: str) -> ApiKey | None:
        """Return the key, or ``None``."""
        ...

    async def save(self, key: ApiKey) -> None:
        """Insert the key, or replace it by id."""
        ...


class ApiKeysUnitOfWork(AuditUnitOfWork, Protocol):
    """A unit of work that can reach API keys (and the audit log, which records who issued or revoked one)."""

    @property
    def api_keys(self) -> ApiKeyRepository:
        """The keys of this transaction."""
        ...


class ApiKeyQueries(Protocol):
    """Committed keys: every request reads its key here, so a revocation is seen at once."""

    async def get(self, key_id: str) -> ApiKey | None:
        """Return the key, or ``None``."""
        ...

    async def all(self) -> Sequence[ApiKey]:
        """Every key, revoked ones included, oldest first (an installation has a handful)."""
        ...


class ApiKeyStorage(Protocol):
    """What a storage backend offers the API keys module besides its unit of work."""

    @property
    def api_key_queries(self) -> ApiKeyQueries:
        """Committed keys."""
        ...
