"""The in-process event bus: a relay that delivers committed outbox records to subscribed handlers.

Delivery is at-least-once: a record leaves the outbox only after every subscribed handler finished with it
(succeeded, or failed every attempt and became a dead letter). A crash at any point leaves the record pending
and the next relay delivers it again, skipping handlers already recorded as done. One relay per storage
delivers at a time (a lease in the storage), and one user's records are delivered in commit order.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from tenacity import AsyncRetrying, RetryError, stop_after_attempt, wait_exponential

from yabot_core.kernel import (
    BusUnitOfWork,
    Clock,
    DeadLetter,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterQueries,
    Event,
    EventBus,
    EventProcessingFailed,
    EventStamper,
    IdGenerator,
    OutboxRecord,
    OutboxStore,
    ReplayFailedError,
    RetryPolicy,
    Transactions,
    UnavailableError,
    UnknownHandlerError,
    correlation_scope,
    dead_letter_id,
    parse_event,
)

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)

RELAY_LEASE = "outbox-relay"
UNPARSABLE = "<unparsable>"
"""The handler name under which an event nobody can parse any more is dead-lettered."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """One handler of one event type, known by a durable name."""

    name: str
    event_type: type[Event]
    handler: Callable[[Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Outcome:
    ok: bool
    attempts: int
    error: str = ""


class LocalEventBus(EventBus):
    """Relays the outbox to in-process handlers (see the module docstring for the guarantees)."""

    def __init__(
        self,
        *,
        outbox: OutboxStore,
        transactions: Transactions[BusUnitOfWork],
        dead_letters: DeadLetterQueries,
        clock: Clock,
        ids: IdGenerator,
        retry: RetryPolicy | None = None,
        poll_interval: float = 1.0,
        lease_ttl: float = 15.0,
        batch_size: int = 200,
        concurrency: int = 32,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._outbox = outbox
        self._transactions = transactions
        self._dead_letters = dead_letters
        self._clock = clock
        self._stamper = EventStamper(clock, ids)
        self._retry = retry or RetryPolicy()
        self._poll_interval = poll_interval
        self._lease_ttl = lease_ttl
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._sleep = sleep
        self._owner = f"relay-{ids.new_id()}"
        self._subscriptions: dict[str, Subscription] = {}
        self._by_type: dict[str, list[Subscription]] = {}
        self._wake = asyncio.Event()
        self._delivering = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # --- subscriptions ----------------------------------------------------------------------------------

    def subscribe(self, event_type: type[E], handler: Callable[[E], Awaitable[None]], *, name: str) -> None:
        if name in self._subscriptions or name == UNPARSABLE:
            msg = f"a handler named {name!r} is already subscribed"
            raise ValueError(msg)
        subscription = Subscription(name, event_type, handler)
        self._subscriptions[name] = subscription
        self._by_type.setdefault(event_type.event_type, []).append(subscription)

    @property
    def subscriptions(self) -> Sequence[Subscription]:
        """Every subscription, in the order they were made."""
        return list(self._subscriptions.values())

    # --- lifecycle --------------------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake the relay: new events were committed in this process."""
        self._wake.set()

    async def start(self) -> None:
        """Start relaying in the background until :meth:`stop`."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._relay(), name="yabot-outbox-relay")

    async def stop(self, *, drain_timeout: float = 5.0) -> None:
        """Stop relaying; first deliver what is pending, for at most ``drain_timeout`` seconds.

        Whatever is left stays in the outbox, durable, for the next start.
        """
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), timeout=drain_timeout)
            if not self._task.done():
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self._outbox.release_lease(RELAY_LEASE, self._owner)

    @property
    def running(self) -> bool:
        """Whether the background relay is alive."""
        return self._task is not None and not self._task.done()

    async def check_running(self) -> None:
        """Readiness probe: raise ``UnavailableError`` unless the background relay is alive."""
        if not self.running:
            raise UnavailableError("El reparto de eventos no está en marcha.")

    async def deliver_pending(self) -> int:
        """Deliver everything pending now, if this bus can take the relay lease; return how many records.

        For tests, for commands that run without a background relay, and for the final drain on stop.
        """
        delivered = 0
        while True:
            batch = await self._deliver_batch()
            if batch == 0:
                return delivered
            delivered += batch

    # --- replay -----------------------------------------------------------------------------------------

    async def replay(self, dead_letter_id: str) -> DeadLetter:
        """Deliver a dead letter to its handler again (with the usual retries) and mark it replayed.

        Raises:
            DeadLetterNotFoundError: no such dead letter.
            DeadLetterAlreadyReplayedError: an earlier replay already delivered it.
            UnknownHandlerError: its handler is no longer subscribed.
            ReplayFailedError: the handler failed again; the dead letter keeps the new error.
        """
        letter = await self._dead_letters.get(dead_letter_id)
        if letter is None:
            raise DeadLetterNotFoundError(dead_letter_id)
        if letter.replayed_at is not None:
            raise DeadLetterAlreadyReplayedError(dead_letter_id)
        subscription = self._subscriptions.get(letter.handler)
        if subscription is None:
            raise UnknownHandlerError(letter.handler)
        event = parse_event(letter.payload)
        outcome = await self._call(subscription, event)
        now = self._clock.now()
        if outcome.ok:
            replayed = letter.model_copy(update={"replayed_at": now})
        else:
            replayed = letter.model_copy(
                update={
                    "error": outcome.error,
                    "attempts": letter.attempts + outcome.attempts,
                    "failed_at": now,
                }
            )

        async def save(uow: BusUnitOfWork) -> None:
            await uow.dead_letters.save(replayed)

        await self._transactions.run(save)
        if not outcome.ok:
            raise ReplayFailedError(dead_letter_id, outcome.error)
        log.info("dead letter %s replayed to %s", dead_letter_id, letter.handler)
        return replayed

    # --- the relay --------------------------------------------------------------------------------------

    async def _relay(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                delivered = await self._deliver_batch()
            except Exception:
                log.exception("outbox relay pass failed; retrying in %.1fs", self._poll_interval)
                delivered = 0
            if delivered == 0 and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
        await self.deliver_pending()

    async def _deliver_batch(self) -> int:
        async with self._delivering:
            now = self._clock.now()
            until = now + timedelta(seconds=self._lease_ttl)
            if not await self._outbox.acquire_lease(RELAY_LEASE, self._owner, now, until):
                return 0
            records = await self._outbox.pending(self._batch_size)
            if not records:
                return 0
            gate = asyncio.Semaphore(self._concurrency)

            async def deliver_stream(stream: list[OutboxRecord]) -> None:
                async with gate:
                    for record in stream:
                        await self._deliver(record)

            async with asyncio.TaskGroup() as group:
                for stream in _streams(records):
                    group.create_task(deliver_stream(stream))
            return len(records)

    async def _deliver(self, record: OutboxRecord) -> None:
        try:
            event = parse_event(record.payload)
        except ValueError as exc:
            log.exception("outbox record %s cannot be parsed; dead-lettering it", record.event_id)
            await self._bury(record, None, UNPARSABLE, _Outcome(ok=False, attempts=1, error=str(exc)))
            await self._outbox.mark_delivered(record.event_id)
            return
        waiting = [
            subscription
            for subscription in self._by_type.get(record.event_type, [])
            if subscription.name not in record.handled_by
        ]
        if waiting:
            await asyncio.gather(*(self._hand(record, event, subscription) for subscription in waiting))
        await self._outbox.mark_delivered(record.event_id)

    async def _hand(self, record: OutboxRecord, event: Event, subscription: Subscription) -> None:
        outcome = await self._call(subscription, event)
        if not outcome.ok:
            await self._bury(record, event, subscription.name, outcome)
        await self._outbox.mark_handled(record.event_id, subscription.name)

    async def _call(self, subscription: Subscription, event: Event) -> _Outcome:
        """Run the handler with the retry policy, inside the event's correlation scope."""
        policy = self._retry
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            wait=wait_exponential(
                multiplier=policy.first_delay, exp_base=policy.multiplier, max=policy.max_delay
            ),
            sleep=self._sleep,
            reraise=False,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    with correlation_scope(event.correlation_id, event.event_id):
                        await subscription.handler(event)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            log.warning(
                "handler %s failed %d times on %s %s: %r",
                subscription.name,
                attempts,
                event.event_type,
                event.event_id,
                cause,
            )
            return _Outcome(ok=False, attempts=attempts, error=f"{type(cause).__name__}: {cause}")
        return _Outcome(ok=True, attempts=attempts)

    async def _bury(self, record: OutboxRecord, event: Event | None, handler: str, outcome: _Outcome) -> None:
        """Store the dead letter and publish ``EventProcessingFailed``, atomically and only once."""
        letter = DeadLetter(
            dead_letter_id=dead_letter_id(record.event_id, handler),
            event_id=record.event_id,
            event_type=record.event_type,
            payload=record.payload,
            user_id=record.user_id,
            handler=handler,
            error=outcome.error,
            attempts=outcome.attempts,
            failed_at=self._clock.now(),
        )
        announce = not isinstance(event, EventProcessingFailed)  # never announce a failed announcement

        async def bury(uow: BusUnitOfWork) -> None:
            known = await uow.dead_letters.get(letter.dead_letter_id)
            if known is not None and known.replayed_at is None:
                return
            await uow.dead_letters.save(letter)
            if announce:
                scope = (
                    correlation_scope(event.correlation_id, event.event_id)
                    if event is not None
                    else contextlib.nullcontext()
                )
                with scope:
                    uow.record(
                        EventProcessingFailed(
                            **self._stamper.stamp(),
                            user_id=record.user_id,
                            dead_letter_id=letter.dead_letter_id,
                            failed_event_id=record.event_id,
                            failed_event_type=record.event_type,
                            handler=handler,
                            attempts=outcome.attempts,
                            error=outcome.error,
                        )
                    )

        await self._transactions.run(bury)
        log.error(
            "event %s (%s) is a dead letter for %s: %s",
            record.event_id,
            record.event_type,
            handler,
            outcome.error,
        )


def _streams(records: Sequence[OutboxRecord]) -> list[list[OutboxRecord]]:
    """Split records into per-user streams, each in position order; user-less records stand alone."""
    streams: dict[object, list[OutboxRecord]] = {}
    for record in sorted(records, key=lambda r: r.position):
        key: object = record.user_id if record.user_id is not None else record.event_id
        streams.setdefault(key, []).append(record)
    return list(streams.values())
