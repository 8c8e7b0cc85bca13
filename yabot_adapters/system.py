"""The real clock and id generator, for production wiring."""

import uuid
from datetime import UTC, datetime


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class UuidGenerator:
    """Random 128-bit ids as 32 hex digits: unique across processes without coordination."""

    def new_id(self) -> str:
        """Return a new random id."""
        return uuid.uuid4().hex
