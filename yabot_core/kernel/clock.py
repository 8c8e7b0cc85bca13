"""The Clock port: the only way the core learns the time, so tests can drive it."""

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> datetime:
        """Return the current instant as a timezone-aware UTC datetime."""
        ...
