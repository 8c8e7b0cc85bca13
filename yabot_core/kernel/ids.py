"""Typed identifiers and the port that mints new ones (the core never calls ``uuid4()`` itself)."""

from typing import NewType, Protocol

UserId = NewType("UserId", int)
"""A Telegram user id: the one identity a fan has across the bot, the HTTP API and the ledger."""

EventId = NewType("EventId", str)
CorrelationId = NewType("CorrelationId", str)
IdempotencyKey = NewType("IdempotencyKey", str)


class IdGenerator(Protocol):
    """Mints unique, opaque string ids.

    Ids must be unique across processes and restarts. They carry no meaning; callers must not parse them.
    """

    def new_id(self) -> str:
        """Return a fresh id never returned before."""
        ...
