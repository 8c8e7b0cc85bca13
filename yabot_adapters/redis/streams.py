"""The Redis layout of the event bus: key names, partitions, stream entries and the few atomic scripts.

Every key starts with one prefix (a deployment's, or a test's own), so several buses share a server safely.
"""

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from yabot_core.kernel import EventId, OutboxRecord, UserId

DEAD_LETTER_STREAM_LENGTH: Final = 10_000
"""About how many entries the dead-letter stream keeps (``MAXLEN ~``); replayable letters stay in storage."""

PUBLISHER: Final = "redis-streams"
"""The outbox handler every routed event is owed to: the publisher that moves it into its stream."""

StreamId = tuple[int, int]


def stream_id(text: str) -> StreamId:
    """Parse ``<ms>-<seq>`` into something that compares in stream order."""
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def format_id(value: StreamId) -> str:
    """Write a stream id back."""
    return f"{value[0]}-{value[1]}"


@dataclass(frozen=True, slots=True)
class Layout:
    """Key names under ``prefix`` and the partition of a user: ``partitions`` streams, fixed for a deployment.

    A user's partition is a CRC-32 of the user id (stable across processes and releases, unlike ``hash``);
    events without a user go to partition 0. Changing ``partitions`` while entries wait would move a user's
    later events to another stream, so drain the bus before changing it.
    """

    prefix: str
    partitions: int

    def __post_init__(self) -> None:
        if self.partitions < 1:
            msg = "the Redis bus needs at least one partition"
            raise ValueError(msg)

    def partition(self, user_id: int | None) -> int:
        """The partition that carries ``user_id``'s events (0 for events without a user)."""
        if user_id is None:
            return 0
        return zlib.crc32(str(user_id).encode()) % self.partitions

    def stream(self, partition: int) -> str:
        """The stream of one partition."""
        return f"{self.prefix}:events:{partition}"

    @property
    def streams(self) -> list[str]:
        """Every partition's stream, in partition order."""
        return [self.stream(p) for p in range(self.partitions)]

    def lease(self, handler: str, partition: int) -> str:
        """The lease that lets one consumer of ``handler``'s group read ``partition``."""
        return f"{self.prefix}:lease:{handler}:{partition}"

    def members(self, handler: str) -> str:
        """The live consumers of ``handler``'s group (a sorted set scored by heartbeat expiry)."""
        return f"{self.prefix}:consumers:{handler}"

    @property
    def dead_letters(self) -> str:
        """The dead-letter stream: one entry per event a handler gave up on (bounded, newest kept)."""
        return f"{self.prefix}:dead-letters"

    def published(self, event_id: str) -> str:
        """The marker that an event is in its stream already (a republished outbox record adds nothing)."""
        return f"{self.prefix}:published:{event_id}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One stream entry as a consumer sees it: the outbox record, its route, how often it was delivered."""

    entry_id: str
    partition: int
    route: str
    record: OutboxRecord
    delivered: int


def encode(record: OutboxRecord, route: str) -> dict[str, str]:
    """The stream fields of ``record`` bound for the handlers of ``route``."""
    return {
        "event_id": record.event_id,
        "event_type": record.event_type,
        "route": route,
        "user_id": "" if record.user_id is None else str(record.user_id),
        "created_at": record.created_at.isoformat(),
        "payload": record.payload,
    }


def decode(entry_id: str, partition: int, fields: Mapping[str, str] | None, delivered: int) -> Entry | None:
    """The entry from its fields, or ``None`` for an entry deleted from the stream (nothing to deliver)."""
    if not fields:
        return None
    user = fields["user_id"]
    record = OutboxRecord(
        event_id=EventId(fields["event_id"]),
        event_type=fields["event_type"],
        payload=fields["payload"],
        user_id=UserId(int(user)) if user else None,
        position=stream_id(entry_id)[0],
        created_at=datetime.fromisoformat(fields["created_at"]),
    )
    return Entry(entry_id, partition, fields["route"], record, delivered)


# --- scripts: each runs atomically on the server ---------------------------------------------------------

PUBLISH: Final = """
-- KEYS[1] the partition's stream, KEYS[2] the event's published marker; ARGV[1] marker TTL (s), then fields.
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
    return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
end
return false
"""
"""Add an event to its stream once: a publisher dying before it acknowledges the outbox adds nothing twice."""

RENEW: Final = """
-- KEYS[1] a lease; ARGV[1] its owner, ARGV[2] its length (ms). 1 when renewed, 0 when no longer the owner's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
"""Renew a lease only for its owner: one that lapsed is taken afresh, so what another holder left pending
meanwhile is claimed before anything new is read."""

RELEASE: Final = """
-- KEYS[1] a lease; ARGV[1] its owner. Deletes it only for its owner.
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

HEARTBEAT: Final = """
-- KEYS[1] a group's live consumers; ARGV[1] this consumer, ARGV[2] how long it counts as alive (ms).
-- Returns how many consumers are alive, this one included.
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2] * 4)
return redis.call('ZCARD', KEYS[1])
"""

SKIP_STALE: Final = """
-- KEYS[1] a stream; ARGV[1] a group, ARGV[2] an age (ms). Moves the group past entries older than that age
-- (stream ids are the server's milliseconds), never backwards. Returns 1 if it skipped any.
local now = redis.call('TIME')
local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[2])
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local info = {}
    for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
    if info['name'] == ARGV[1] then
        local target = string.format('%.0f-0', cutoff)
        local last = tonumber(string.match(info['last-delivered-id'], '^(%d+)'))
        local after = '(' .. info['last-delivered-id']
        if last < cutoff and #redis.call('XRANGE', KEYS[1], after, target, 'COUNT', 1) > 0 then
            redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], target)
            return 1
        end
        return 0
    end
end
return 0
"""
