"""API keys: what services and the creator's tools show the HTTP API. Public API of the module."""

from yabot_core.apikeys.errors import (
    AmbiguousKeyNameError,
    InvalidKeyNameError,
    KeyNotFoundError,
    MalformedKeyError,
    RevokedKeyError,
    UnknownKeyError,
    UnknownScopeError,
)
from yabot_core.apikeys.events import ApiKeyCreated, ApiKeyRevoked
from yabot_core.apikeys.manifest import MANIFEST
from yabot_core.apikeys.models import ADMIN, CORE_SCOPES, SCOPE, USERS_READ, ApiKey, IssuedKey
from yabot_core.apikeys.ports import ApiKeyQueries, ApiKeyRepository, ApiKeyStorage, ApiKeysUnitOfWork
from yabot_core.apikeys.service import ApiKeys
from yabot_core.apikeys.tokens import PREFIX as KEY_PREFIX

__all__ = [
    "ADMIN",
    "CORE_SCOPES",
    "KEY_PREFIX",
    "MANIFEST",
    "SCOPE",
    "USERS_READ",
    "AmbiguousKeyNameError",
    "ApiKey",
    "ApiKeyCreated",
    "ApiKeyQueries",
    "ApiKeyRepository",
    "ApiKeyRevoked",
    "ApiKeyStorage",
    "ApiKeys",
    "ApiKeysUnitOfWork",
    "InvalidKeyNameError",
    "IssuedKey",
    "KeyNotFoundError",
    "MalformedKeyError",
    "RevokedKeyError",
    "UnknownKeyError",
    "UnknownScopeError",
]
