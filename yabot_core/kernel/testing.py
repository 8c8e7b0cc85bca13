"""Deterministic stand-ins for the kernel's ports, for tests and for library users' own tests."""

from datetime import UTC, datetime, timedelta
from itertools import count


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            msg = "FakeClock needs a timezone-aware start"
            raise ValueError(msg)

    def now(self) -> datetime:
        """Return the frozen current time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (timezone-aware)."""
        self._now = when


class SequentialIds:
    """Ids ``<prefix>-1``, ``<prefix>-2``, ...: unique within one instance, readable in test failures."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = count(1)

    def new_id(self) -> str:
        """Return the next id in sequence."""
        return f"{self._prefix}-{next(self._counter)}"
