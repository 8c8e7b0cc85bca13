"""The real clock and id generator, for production wiring."""

import uuid
from datetime import UTC, datetime


class SystemClock:
    """The wall clock, in UTC, to the millisecond.

    Milliseconds because that is what BSON keeps: every backend then stores and returns the same instant.
    """

    def now(self) -> datetime:
        """Return the current UTC time, truncated to whole milliseconds."""
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


class UuidGenerator:
    """Random 128-bit ids as 32 hex digits: unique across processes without coordination."""

    def new_id(self) -> str:
        """Return a new random id."""
        return uuid.uuid4().hex
