"""How SQLite stores what it has no type for: instants as sortable UTC ISO-8601 text, sets as JSON."""

import json
from datetime import UTC, datetime


def encode_time(when: datetime) -> str:
    """Return ``when`` as fixed-width UTC ISO-8601 text with its offset, so text order is time order."""
    if when.tzinfo is None:
        msg = "only timezone-aware datetimes are stored"
        raise ValueError(msg)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def decode_time(text: str) -> datetime:
    """Return the aware datetime :func:`encode_time` wrote (the same instant, in UTC)."""
    return datetime.fromisoformat(text)


def decode_optional_time(text: str | None) -> datetime | None:
    """Like :func:`decode_time`, passing ``None`` through."""
    return None if text is None else decode_time(text)


def decode_names(text: str) -> frozenset[str]:
    """Return the set of names stored as a JSON array."""
    return frozenset(json.loads(text))


def encode_optional_time(when: datetime | None) -> str | None:
    """Like :func:`encode_time`, passing ``None`` through."""
    return None if when is None else encode_time(when)
