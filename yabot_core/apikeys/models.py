"""An API key as stored (only a hash of its secret) and as issued (the whole key, shown once)."""

import re
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCOPE: Final = re.compile(r"[a-z][a-z0-9_]{0,31}(:[a-z][a-z0-9_]{0,31})?")
"""A scope's shape: ``admin``, ``users:read``, ``wallet:write``. Match it with ``fullmatch``."""

USERS_READ: Final = "users:read"
ADMIN: Final = "admin"

CORE_SCOPES: Final = {
    USERS_READ: "leer los datos de cualquier usuario (besitos, mochila…)",
    ADMIN: "usar las rutas de administración",
}
"""The scopes every installation has, each with what it allows (lowercase, no final stop: it is quoted in
sentences); modules add their own write scopes (``ModulePlug.scopes``)."""

MAX_NAME_LENGTH: Final = 64


class ApiKey(BaseModel):
    """A key as YABOT keeps it: who it is for, what it may do, and a SHA-256 of its secret part.

    The secret itself is never stored: a leaked database leaks no usable key. ``key_id`` is public (it is
    part of the key, shown by ``yabot apikey list`` and fine in logs) and is how a presented key is found.
    """

    model_config = ConfigDict(frozen=True)

    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    scopes: tuple[str, ...]
    secret_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None = None

    @property
    def active(self) -> bool:
        """Whether the key still opens the API."""
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        """Whether the key was given ``scope``."""
        return scope in self.scopes


class IssuedKey(BaseModel):
    """A key just created: its record and the whole key, which exists only here and is shown once."""

    model_config = ConfigDict(frozen=True)

    key: ApiKey
    token: str = Field(repr=False)
