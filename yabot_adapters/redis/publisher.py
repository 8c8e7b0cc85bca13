"""The outbox relay of the Redis bus: committed events move, in commit order, into their user's stream.

Storage owes every routed event to one outbox handler, :data:`PUBLISHER`. The publisher reads what it is
owed (each user's records in position order), adds each to its partition's stream in that order (one
pipeline, one round trip), and only then acknowledges the outbox: a crash in between publishes again, and
the per-event marker the publishing script sets makes the second publication add nothing (for a day).

Because each record is added only after every earlier record of its user was added or found added, two
publishers racing (a lease lost mid-batch) still keep each user's order; the outbox lease only saves the
duplicate work.
"""

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from yabot_adapters.redis.streams import PUBLISH, PUBLISHER, Layout, encode
from yabot_core.kernel import Clock, OutboxRecord, OutboxStore, parse_event

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

MARKER_TTL = timedelta(days=1)
"""How long a published event's marker stops it being added twice."""


def route_of(record: OutboxRecord) -> str:
    """The record's route; an event this code cannot parse (a newer release's) is routed by its type."""
    try:
        return parse_event(record.payload).route
    except ValueError:
        return record.event_type


class StreamPublisher:
    """Moves what the outbox owes :data:`PUBLISHER` into the partition streams, while holding its lease."""

    def __init__(
        self,
        client: "Redis",
        layout: Layout,
        *,
        outbox: OutboxStore,
        clock: Clock,
        owner: str,
        lease_ttl: timedelta,
        batch_size: int,
    ) -> None:
        self._client = client
        self._layout = layout
        self._outbox = outbox
        self._clock = clock
        self._owner = owner
        self._lease_ttl = lease_ttl
        self._batch_size = batch_size
        self._script = client.register_script(PUBLISH)
        self._lock = asyncio.Lock()

    async def publish_batch(self) -> int:
        """Publish one batch if this process holds (or can take) the lease; return how many records moved."""
        async with self._lock:
            now = self._clock.now()
            if not await self._outbox.acquire_lease(
                f"relay:{PUBLISHER}", self._owner, now, now + self._lease_ttl
            ):
                return 0
            records = sorted(
                await self._outbox.pending(PUBLISHER, self._batch_size), key=lambda r: r.position
            )
            if not records:
                return 0
            ttl = int(MARKER_TTL.total_seconds())
            pipe = self._client.pipeline(transaction=False)
            for record in records:
                stream = self._layout.stream(self._layout.partition(record.user_id))
                fields = encode(record, route_of(record))
                args: list[str | int] = [ttl, *(item for pair in fields.items() for item in pair)]
                await self._script(
                    keys=[stream, self._layout.published(record.event_id)], args=args, client=pipe
                )
            await pipe.execute()
            await self._outbox.acknowledge(PUBLISHER, [record.event_id for record in records])
            return len(records)

    async def release(self) -> None:
        """Give the outbox lease up (another process may publish at once)."""
        await self._outbox.release_lease(f"relay:{PUBLISHER}", self._owner)
