"""Events about API keys, for the audit log and for alerting."""

from typing import ClassVar

from yabot_core.kernel import Event


class ApiKeyCreated(Event):
    """An operator created a key (its secret is never in an event)."""

    event_type: ClassVar[str] = "apikeys.created"

    key_id: str
    name: str
    scopes: tuple[str, ...]


class ApiKeyRevoked(Event):
    """An operator revoked a key: every process refuses it from now on."""

    event_type: ClassVar[str] = "apikeys.revoked"

    key_id: str
    name: str
