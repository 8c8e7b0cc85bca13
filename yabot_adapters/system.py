"""The real clock and id generator, for production wiring."""

import itertools
import secrets
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
    """128-bit ids as 32 hex digits, unique across processes and restarts without coordination.

    Each generator draws a random 64-bit prefix once and counts after it: as unique as random UUIDs for our
    purposes (two processes share a prefix with odds of 1 in 2**64), at a fifth of ``uuid4``'s cost — a
    credit mints five ids, and ``uuid4`` was a tenth of its time.
    """

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        """Return a new id."""
        return f"{self._prefix}{next(self._counter):016x}"
