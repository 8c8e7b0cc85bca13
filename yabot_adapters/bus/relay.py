"""One handler's deliveries in this process: its lease, its batches in per-user order, its acknowledgements.

Each handler is its own consumer (a consumer group of one, in effect): a handler that is slow or failing
delays only itself, and a process runs only the handlers it can (no Telegram bot, no Telegram notices), while
another that can delivers them. One process at a time delivers a given handler's events: it holds the
handler's lease in the storage, renewed while a batch runs; a relay that loses it stops at once.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from yabot_adapters.bus.graves import Graves
from yabot_adapters.bus.handlers import HandlerRunner, Outcome, Subscription
from yabot_adapters.metrics import EVENT_LATENCY, EVENTS_DEFERRED, EVENTS_FAILED, EVENTS_HANDLED
from yabot_core.kernel import CircuitOpenError, Clock, EventId, OutboxRecord, OutboxStore, parse_event

log = logging.getLogger(__name__)


class Acknowledgements:
    """Acknowledges what a handler finished in few writes: pending ones are flushed every ``interval``.

    A crash loses at most the last ``interval`` of acknowledgements, whose events are then delivered again
    (delivery is at least once); a busy handler pays one write per interval instead of one per event.
    """

    def __init__(self, outbox: OutboxStore, handler: str, interval: float) -> None:
        self._outbox = outbox
        self._handler = handler
        self._interval = interval
        self._pending: list[EventId] = []
        self._flusher: asyncio.Task[None] | None = None

    def add(self, event_id: EventId) -> None:
        """Acknowledge ``event_id`` within ``interval``."""
        self._pending.append(event_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def flush(self) -> None:
        """Write every pending acknowledgement now."""
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._write()

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self._interval)
        try:
            await self._write()
        except Exception:
            log.warning("could not acknowledge events of %s; trying again", self._handler, exc_info=True)

    async def _write(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            await self._outbox.acknowledge(self._handler, batch)
        except BaseException:
            self._pending = batch + self._pending  # kept for the next flush; delivered again if we die
            raise


class HandlerRelay:
    """Delivers what one handler is owed, while this process holds the handler's lease."""

    def __init__(
        self,
        subscription: Subscription,
        *,
        outbox: OutboxStore,
        graves: Graves,
        runner: HandlerRunner,
        clock: Clock,
        owner: str,
        lease_ttl: timedelta,
        batch_size: int,
        concurrency: int,
        ack_interval: float,
    ) -> None:
        self.subscription = subscription
        self._outbox = outbox
        self._graves = graves
        self._runner = runner
        self._clock = clock
        self._owner = owner
        self._lease_name = f"relay:{subscription.name}"
        self._lease_ttl = lease_ttl
        self._lease_until: datetime | None = None
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._acks = Acknowledgements(outbox, subscription.name, ack_interval)
        self._delivering = asyncio.Lock()

    async def deliver_batch(self) -> int:
        """Deliver one batch if we hold (or can take) the lease; return how many records were finished.

        Batches of one handler never overlap in this process (a background loop and a drain may both ask).
        """
        async with self._delivering:
            return await self._deliver_batch()

    async def _deliver_batch(self) -> int:
        if not await self._hold_lease():
            return 0
        records = await self._outbox.pending(self.subscription.name, self._batch_size)
        if not records:
            return 0
        delivery = asyncio.create_task(self._deliver_streams(records))
        keeper = asyncio.create_task(self._keep_lease(delivery))
        try:
            return await delivery
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we are being stopped, not merely out of lease
            # A lost lease, not a bug: the cancellation's traceback would say nothing more.
            log.error(  # noqa: TRY400
                "the relay of %s lost its lease mid-batch; another process delivers it from now on",
                self.subscription.name,
            )
            return 0
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self._acks.flush()

    async def release(self) -> None:
        """Give the lease up (another process may take over at once)."""
        self._lease_until = None
        await self._outbox.release_lease(self._lease_name, self._owner)

    # --- the lease --------------------------------------------------------------------------------------

    async def _hold_lease(self) -> bool:
        """Take the lease, or renew it once a third of it has passed; return whether we hold it."""
        now = self._clock.now()
        if self._lease_until is not None and now < self._lease_until - self._lease_ttl * 2 / 3:
            return True  # taken moments ago: nobody else can hold it before it ends
        return await self._renew_lease(now)

    async def _renew_lease(self, now: datetime | None = None) -> bool:
        now = now or self._clock.now()
        until = now + self._lease_ttl
        held = await self._outbox.acquire_lease(self._lease_name, self._owner, now, until)
        self._lease_until = until if held else None
        return held

    async def _keep_lease(self, delivery: asyncio.Task[int]) -> None:
        """Renew the lease every third of its length while a batch runs; cancel the batch if it is lost."""
        while not delivery.done():
            await asyncio.sleep(self._lease_ttl.total_seconds() / 3)
            try:
                held = await self._renew_lease()
            except Exception:
                log.warning("could not renew the lease of %s", self.subscription.name, exc_info=True)
                held = self._lease_until is not None and self._clock.now() < self._lease_until
            if not held:
                delivery.cancel()
                return

    # --- delivering -------------------------------------------------------------------------------------

    async def _deliver_streams(self, records: Sequence[OutboxRecord]) -> int:
        gate = asyncio.Semaphore(self._concurrency)

        async def deliver_stream(stream: list[OutboxRecord]) -> int:
            async with gate:
                done = 0
                for record in stream:
                    try:
                        await self._deliver(record)
                    except CircuitOpenError as exc:
                        # Storage or Telegram away: the record waits in the outbox, its user's later ones too.
                        EVENTS_DEFERRED.labels(self.subscription.name).inc()
                        log.info(
                            "outbox record %s for %s waits: %s",
                            record.event_id,
                            self.subscription.name,
                            exc.message,
                        )
                        break
                    except Exception:
                        # Storage failed while finishing it: the user's later records wait behind it.
                        log.exception(
                            "could not finish outbox record %s for %s; retrying later",
                            record.event_id,
                            self.subscription.name,
                        )
                        break
                    done += 1
                return done

        counts = await asyncio.gather(*(deliver_stream(stream) for stream in _streams(records)))
        return sum(counts)

    async def _deliver(self, record: OutboxRecord) -> None:
        max_age = self.subscription.route.max_age
        if max_age is not None and record.created_at < self._clock.now() - max_age:
            log.info("dropping %s for %s: older than %s", record.event_id, self.subscription.name, max_age)
            self._acks.add(record.event_id)
            return
        try:
            event = parse_event(record.payload)
        except ValueError as exc:
            log.error(  # noqa: TRY400  (the reason is the whole story)
                "outbox record %s cannot be parsed (%s); dead-lettering it for %s",
                record.event_id,
                exc,
                self.subscription.name,
            )
            outcome = Outcome(ok=False, attempts=1, error=f"ValueError: {exc}")
            await self._graves.bury(record, None, self.subscription.name, outcome)
        else:
            outcome = await self._runner.run(self.subscription, event)
            name = self.subscription.name
            if not outcome.ok:
                await self._graves.bury(record, event, name, outcome)
                EVENTS_FAILED.labels(name).inc()
            else:
                EVENTS_HANDLED.labels(name).inc()
                EVENT_LATENCY.labels(name).observe((self._clock.now() - event.occurred_at).total_seconds())
        self._acks.add(record.event_id)


def _streams(records: Sequence[OutboxRecord]) -> list[list[OutboxRecord]]:
    """Split records into per-user streams, each in position order; user-less records stand alone."""
    streams: dict[object, list[OutboxRecord]] = {}
    for record in sorted(records, key=lambda r: r.position):
        key: object = record.user_id if record.user_id is not None else record.event_id
        streams.setdefault(key, []).append(record)
    return list(streams.values())
