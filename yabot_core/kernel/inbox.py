"""The inbox: updates pushed to us at least once (a webhook), kept durably before they are answered.

The counterpart of the outbox. A sender that retries until answered (Telegram's webhook) delivers the same
update more than once, and a process may die between answering and handling. So the receiver stores the raw
update first, keyed by its id (insert-if-new: a repeat changes nothing), answers, and a worker then claims
stored updates with a lease, handles them, and marks them done. A claim not completed in time (the process
died) is claimed again; done updates are kept a while, so late repeats are still recognised, then pruned.

Updates of one ``order_key`` (one user, one chat) are handed out one at a time, oldest first: the next one
of that key is claimable only once the one before it is done. Updates of different keys go in parallel.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

MAX_UPDATE_ID: Final = 2**53 - 1
"""Telegram's update ids fit in 52 bits; anything larger is refused before it reaches storage."""


class InboxUpdate(BaseModel):
    """One received update: its id, who it belongs to (``order_key``), its raw payload, and its state.

    ``claim`` and ``claimed_until`` are set while a worker holds it; ``done_at`` once it was handled.
    """

    model_config = ConfigDict(frozen=True)

    update_id: int = Field(ge=0, le=MAX_UPDATE_ID)
    order_key: int
    payload: dict[str, JsonValue]
    received_at: AwareDatetime
    claim: str | None = None
    claimed_until: AwareDatetime | None = None
    done_at: AwareDatetime | None = None


class UpdateInbox(Protocol):
    """Received updates, each stored once, claimed with a lease, handled in order per ``order_key``."""

    async def receive(self, update: InboxUpdate) -> bool:
        """Store ``update`` unless one with its id is stored; return whether it was new.

        Atomic across processes: of two receivers of the same id, exactly one gets ``True``.
        """
        ...

    async def claim(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[InboxUpdate]:
        """Claim up to ``limit`` updates to handle, lowest id first, marked with ``claim`` until ``until``.

        An update is claimable when it is not done, nobody holds it (or the hold expired), and it is the
        lowest-id update not done of its ``order_key``. Atomic across processes: two claimers never hold
        the same update at once.
        """
        ...

    async def complete(self, update: InboxUpdate, now: datetime) -> bool:
        """Mark ``update`` done at ``now`` if it still carries the same claim; return whether it did."""
        ...

    async def prune(self, done_before: datetime) -> int:
        """Forget updates done before ``done_before``; return how many. Updates not done are kept."""
        ...

    async def unfinished(self) -> int:
        """How many stored updates are not done yet (for status and tests)."""
        ...
