"""One handler's consumer in its consumer group: partition leases, reclaiming, per-user order, retries, acks.

Each handler has its own consumer group on every partition stream, so a slow or failing handler delays only
itself. Per-user order with several processes: a consumer reads a partition only while it holds that
(handler, partition) lease in Redis, so one consumer per group per partition reads at a time, in stream
order. Processes share the partitions: each counts the group's live consumers (heartbeats) and keeps about
``partitions / live`` leases, giving extras up between batches; a process that dies stops renewing, its
leases expire, and another takes the partitions over.

Taking a partition over, a consumer first finishes what the group had delivered there and not acknowledged,
before reading anything new: it claims (XAUTOCLAIM) entries idle longer than the lease, so a slow but live
former holder has noticed its lost lease and stopped; until every such entry is claimed, it reads nothing new
from that partition. Entries are acknowledged (XACK) only after the handler finished (its unit of work
committed), or after it failed every attempt and the entry became a dead letter: stored (with
``EventProcessingFailed``, in one unit of work, where ``yabot events replay`` finds it) and then added to the
dead-letter stream (``<prefix>:dead-letters``, bounded), where operators' tools can follow failures as they
happen.

Attempts: the handler gets the bus's :class:`RetryPolicy` (tenacity, growing pauses). An entry delivered
before (its former consumer died or lost its lease while handling it) counts each earlier delivery as an
attempt, so an event that kills its consumer is dead-lettered after ``attempts`` deliveries instead of
killing consumers forever.
"""

import asyncio
import contextlib
import logging
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from yabot_adapters.bus.graves import Graves
from yabot_adapters.bus.handlers import HandlerRunner, Outcome, Subscription
from yabot_adapters.redis.streams import (
    DEAD_LETTER_STREAM_LENGTH,
    HEARTBEAT,
    RELEASE,
    RENEW,
    Entry,
    Layout,
    decode,
    stream_id,
)
from yabot_core.kernel import Clock, RetryPolicy, dead_letter_id, parse_event

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.typing import EncodableT, FieldT

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Progress:
    """What a pass finished: entries acknowledged (any route), and of those, how many were this handler's."""

    finished: int = 0
    handled: int = 0

    def __add__(self, other: "Progress") -> "Progress":
        return Progress(self.finished + other.finished, self.handled + other.handled)


class GroupConsumer:
    """This process's consumer of one handler's group (see the module docstring)."""

    def __init__(
        self,
        subscription: Subscription,
        client: "Redis",
        layout: Layout,
        *,
        consumer: str,
        graves: Graves,
        policy: RetryPolicy,
        runners: Mapping[int, HandlerRunner],
        clock: Clock,
        lease_ttl: timedelta,
        batch_size: int,
        concurrency: int,
    ) -> None:
        self.subscription = subscription
        self._client = client
        self._layout = layout
        self._name = consumer
        self._graves = graves
        self._policy = policy
        self._runners = runners
        self._clock = clock
        self._lease_ms = max(1, int(lease_ttl.total_seconds() * 1000))
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)
        self._heartbeat = client.register_script(HEARTBEAT)
        self._held: dict[int, bool] = {}  # partition -> whether its unacknowledged entries are all handled
        self._lock = asyncio.Lock()

    @property
    def group(self) -> str:
        """The consumer group: the handler's durable name."""
        return self.subscription.name

    @property
    def held(self) -> list[int]:
        """The partitions this consumer holds now."""
        return sorted(self._held)

    async def consume(self, *, block: float | None) -> Progress:
        """Handle one batch from the partitions held (taking or giving some up first); say what finished.

        ``block``: how long to wait for new entries when there are none (``None``: do not wait).
        """
        async with self._lock:
            await self._rebalance()
            if not self._held:
                return Progress()
            done = Progress()
            for partition in [p for p, clean in self._held.items() if not clean]:
                done += await self._recover(partition)
            clean = [p for p, ok in self._held.items() if ok]
            if not clean:
                return done
            reply: Any = await self._client.xreadgroup(
                self.group,
                self._name,
                {self._layout.stream(p): ">" for p in clean},
                count=self._batch_size,
                block=None if block is None or done.finished else max(1, int(block * 1000)),
            )
            entries = [
                entry
                for stream, items in reply or []
                for entry_id, fields in items
                if (entry := decode(entry_id, self._partition(stream), fields, 1)) is not None
            ]
            try:
                return done + await self._handle(entries)
            except BaseException:
                for entry in entries:  # whatever was read and not acknowledged comes back first
                    if entry.partition in self._held:
                        self._held[entry.partition] = False
                raise

    async def leave(self) -> None:
        """Give every partition up and leave the group's live consumers (between batches)."""
        async with self._lock:
            for partition in list(self._held):
                await self._give_up(partition)
            await self._client.zrem(self._layout.members(self.group), self._name)

    # --- partitions ---------------------------------------------------------------------------------------

    async def _rebalance(self) -> None:
        """Renew the leases held, then keep about a fair share: ``ceil(partitions / live consumers)``."""
        members = self._layout.members(self.group)
        live = int(await self._heartbeat(keys=[members], args=[self._name, self._lease_ms]))
        for partition in list(self._held):
            if not await self._renew_lease(partition):
                log.warning("%s lost partition %d of %s", self._name, partition, self.group)
                del self._held[partition]
        share = math.ceil(self._layout.partitions / max(1, live))
        for partition in sorted(self._held, reverse=True)[: max(0, len(self._held) - share)]:
            await self._give_up(partition)
        start = zlib.crc32(self._name.encode()) % self._layout.partitions  # consumers search from apart
        for offset in range(self._layout.partitions):
            if len(self._held) >= share:
                break
            partition = (start + offset) % self._layout.partitions
            if partition not in self._held and await self._client.set(
                self._layout.lease(self.group, partition), self._name, nx=True, px=self._lease_ms
            ):
                self._held[partition] = False  # its unacknowledged entries come first

    async def _renew_lease(self, partition: int) -> bool:
        key = self._layout.lease(self.group, partition)
        return bool(await self._renew(keys=[key], args=[self._name, self._lease_ms]))

    async def _give_up(self, partition: int) -> None:
        self._held.pop(partition, None)
        await self._release(keys=[self._layout.lease(self.group, partition)], args=[self._name])

    def _partition(self, stream: str) -> int:
        return int(stream.rsplit(":", 1)[1])

    # --- taking a partition over --------------------------------------------------------------------------

    async def _recover(self, partition: int) -> Progress:
        """Claim what dead consumers left in ``partition`` and handle our own unacknowledged entries first."""
        stream = self._layout.stream(partition)
        others = await self._others_pending(stream)
        if others:
            # JUSTID: claiming is no delivery (the read below counts it). A claimed entry is idle no more, so
            # claiming again from the start finds what is left; as many rounds as it takes, no more.
            for _ in range(math.ceil(others / self._batch_size) + 1):
                if not await self._client.xautoclaim(
                    stream, self.group, self._name, self._lease_ms, "0-0", count=self._batch_size, justid=True
                ):
                    break
            if await self._others_pending(stream):
                return Progress()  # not idle for a lease yet: their former consumer may still be finishing
        mine: Any = await self._client.xreadgroup(
            self.group, self._name, {stream: "0"}, count=self._batch_size
        )
        items: list[tuple[str, dict[str, str] | None]] = mine[0][1] if mine else []
        if not items:
            self._held[partition] = True
            return Progress()
        rows: Any = await self._client.xpending_range(
            stream, self.group, items[0][0], items[-1][0], len(items), consumername=self._name
        )
        counts = {str(row["message_id"]): int(row["times_delivered"]) for row in rows}
        entries: list[Entry] = []
        for entry_id, fields in items:
            entry = decode(entry_id, partition, fields, counts.get(entry_id, 1))
            if entry is None:
                await self._client.xack(stream, self.group, entry_id)  # deleted from the stream: nothing left
            else:
                entries.append(entry)
        return await self._handle(entries)

    async def _others_pending(self, stream: str) -> int:
        """How many entries of ``stream`` other consumers of the group hold unacknowledged."""
        summary: Any = await self._client.xpending(stream, self.group)
        return sum(int(c["pending"]) for c in summary.get("consumers") or [] if c["name"] != self._name)

    # --- handling -----------------------------------------------------------------------------------------

    async def _handle(self, entries: Sequence[Entry]) -> Progress:
        """Handle entries (each user's in stream order) renewing the leases; acknowledge each when done."""
        mine = [entry for entry in entries if entry.route == self.subscription.route.route]
        others = [entry for entry in entries if entry.route != self.subscription.route.route]
        for partition in {entry.partition for entry in others}:
            ids = [entry.entry_id for entry in others if entry.partition == partition]
            await self._client.xack(self._layout.stream(partition), self.group, *ids)  # another route's
        if not mine:
            return Progress(finished=len(others))
        handling = asyncio.create_task(self._handle_users(mine))
        keeper = asyncio.create_task(self._keep_leases(handling))
        try:
            done = await handling
            return Progress(finished=len(others) + done, handled=done)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            log.error(  # noqa: TRY400  (a lost lease, not a bug: the traceback says nothing more)
                "%s lost a partition of %s mid-batch; its unacknowledged entries go to the new holder",
                self._name,
                self.group,
            )
            for entry in mine:  # the batch's unfinished entries of partitions still held come back first
                if entry.partition in self._held:
                    self._held[entry.partition] = False
            return Progress(finished=len(others))
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _handle_users(self, entries: Sequence[Entry]) -> int:
        gate = asyncio.Semaphore(self._concurrency)

        async def handle_user(stream: list[Entry]) -> int:
            async with gate:
                done = 0
                for entry in stream:
                    try:
                        await self._deliver(entry)
                    except Exception:
                        # Storage or Redis failed while finishing it: the user's later entries wait behind
                        # it, unacknowledged, and come back first on the next pass.
                        log.exception(
                            "could not finish %s for %s; retrying later", entry.entry_id, self.group
                        )
                        if entry.partition in self._held:
                            self._held[entry.partition] = False
                        break
                    done += 1
                return done

        users: dict[object, list[Entry]] = {}
        for entry in sorted(entries, key=lambda e: stream_id(e.entry_id)):
            key: object = entry.record.user_id if entry.record.user_id is not None else entry.entry_id
            users.setdefault(key, []).append(entry)
        return sum(await asyncio.gather(*(handle_user(stream) for stream in users.values())))

    async def _keep_leases(self, handling: "asyncio.Task[int]") -> None:
        """Renew the held leases every third of their length while handling; stop the batch if one is lost."""
        while not handling.done():
            await asyncio.sleep(self._lease_ms / 3000)
            for partition in list(self._held):
                try:
                    held = await self._renew_lease(partition)
                except Exception:
                    log.warning("could not renew partition %d of %s", partition, self.group, exc_info=True)
                    continue  # it may still be ours; the next renewal tells
                if not held:
                    del self._held[partition]
                    handling.cancel()
                    return

    async def _deliver(self, entry: Entry) -> None:
        """Run the handler on one entry (or drop or bury it), then acknowledge it."""
        record = entry.record
        max_age = self.subscription.route.max_age
        earlier = entry.delivered - 1  # deliveries that ended without an acknowledgement: spent attempts
        if max_age is not None and record.created_at < self._clock.now() - max_age:
            log.info("dropping %s for %s: older than %s", record.event_id, self.group, max_age)
        else:
            try:
                event = parse_event(record.payload)
            except ValueError as exc:
                log.error(  # noqa: TRY400  (the reason is the whole story)
                    "entry %s cannot be parsed (%s); dead-lettering it for %s",
                    entry.entry_id,
                    exc,
                    self.group,
                )
                unparsable = Outcome(ok=False, attempts=1, error=f"ValueError: {exc}")
                await self._graves.bury(record, None, self.group, unparsable)
                await self._mourn(entry, unparsable)
            else:
                left = self._policy.attempts - earlier
                if left <= 0:
                    why = f"its consumer stopped {earlier} times while handling it (a crash or a lost lease)"
                    outcome = Outcome(ok=False, attempts=earlier, error=why)
                else:
                    outcome = await self._runner(left).run(self.subscription, event)
                    outcome = Outcome(ok=outcome.ok, attempts=outcome.attempts + earlier, error=outcome.error)
                if not outcome.ok:
                    await self._graves.bury(record, event, self.group, outcome)
                    await self._mourn(entry, outcome)
        await self._client.xack(self._layout.stream(entry.partition), self.group, entry.entry_id)

    async def _mourn(self, entry: Entry, outcome: Outcome) -> None:
        """Add the dead letter (stored already) to the dead-letter stream, before the entry is acknowledged.

        Should Redis fail here, the entry comes back and is buried again: storage keeps one letter, the stream
        may show it twice.
        """
        record = entry.record
        fields: dict[FieldT, EncodableT] = {
            "dead_letter_id": dead_letter_id(record.event_id, self.group),
            "event_id": record.event_id,
            "event_type": record.event_type,
            "handler": self.group,
            "user_id": "" if record.user_id is None else str(record.user_id),
            "attempts": str(outcome.attempts),
            "error": outcome.error,
            "entry": f"{self._layout.stream(entry.partition)}/{entry.entry_id}",
        }
        await self._client.xadd(
            self._layout.dead_letters, fields, maxlen=DEAD_LETTER_STREAM_LENGTH, approximate=True
        )

    def _runner(self, attempts: int) -> HandlerRunner:
        return self._runners[min(attempts, self._policy.attempts)]
