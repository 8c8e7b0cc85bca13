"""Idempotency keys YABOT derives itself live under a reserved prefix no caller may use.

A caller choosing ``release:<hold id>`` or ``welcome:<user>`` as a key would otherwise block the wallet's own
release or welcome gift forever (or a payment's ``vip-payment:<charge>``). Keys built with
:func:`system_key` carry the prefix and are the only ones allowed to; only the core builds them, never a
caller.
"""

from typing import Final

from yabot_core.kernel.checks import checked_key
from yabot_core.kernel.errors import InvalidInputError
from yabot_core.kernel.ids import IdempotencyKey

RESERVED_PREFIX: Final = "yabot:"


class SystemKey(str):
    """An idempotency key YABOT derived itself (``yabot:<kind>:<parts>``)."""

    __slots__ = ()


def system_key(kind: str, *parts: object) -> SystemKey:
    """Build the reserved key for ``kind`` and its parts, e.g. ``system_key("welcome", 42)``."""
    return SystemKey(":".join((RESERVED_PREFIX + kind, *(str(part) for part in parts))))


def checked_caller_key(key: str) -> IdempotencyKey:
    """Return ``key`` as :func:`checked_key` does, refusing the reserved prefix unless it is a ``SystemKey``.

    Raises:
        InvalidInputError: a malformed key, or a caller's key under ``yabot:``.
    """
    checked = checked_key(key)
    if key.startswith(RESERVED_PREFIX) and not isinstance(key, SystemKey):
        raise InvalidInputError(
            f"Las claves de idempotencia que empiezan por «{RESERVED_PREFIX}» están reservadas para YABOT.",
            detail={"idempotency_key": key[:50]},
        )
    return checked
