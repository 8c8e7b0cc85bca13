"""Idempotency keys YABOT derives itself live under a reserved prefix no caller may use.

A caller choosing ``release:<hold id>`` or ``welcome:<user>`` as a key would otherwise block the wallet's own
release or welcome gift forever. Keys built with :func:`system_key` carry the prefix and are the only ones
allowed to; only the core builds them (the wallet's releases, the welcome module's gift), never a caller.
"""

from typing import Final

RESERVED_PREFIX: Final = "yabot:"


class SystemKey(str):
    """An idempotency key YABOT derived itself (``yabot:<kind>:<parts>``)."""

    __slots__ = ()


def system_key(kind: str, *parts: object) -> SystemKey:
    """Build the reserved key for ``kind`` and its parts, e.g. ``system_key("welcome", 42)``."""
    return SystemKey(":".join((RESERVED_PREFIX + kind, *(str(part) for part in parts))))
