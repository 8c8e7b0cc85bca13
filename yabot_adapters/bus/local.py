"""The in-process event bus: a relay that delivers committed outbox records to subscribed handlers.

Delivery is at-least-once: a record leaves the outbox only after every subscribed handler finished with it
(succeeded, or failed every attempt and became a dead letter). A crash at any point leaves the record pending
and the next relay delivers it again, skipping handlers already recorded as done. One relay per storage
delivers at a time (a lease in the storage, renewed while a batch runs; a relay that loses it stops), and one
user's records are delivered in commit order. A record that cannot be finished (storage failing) holds back
only its own user's later records, and is tried again on the next pass.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from yabot_adapters.bus.graves import Graves
from yabot_adapters.bus.handlers import HandlerRunner, Outcome, Subscription
from yabot_core.kernel import (
    BusUnitOfWork,
    Clock,
    DeadLetter,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterQueries,
    DeadLetterReplayInProgressError,
    Event,
    EventBus,
    EventStamper,
    IdGenerator,
    OutboxRecord,
    OutboxStore,
    ReplayFailedError,
    RetryPolicy,
    Transactions,
    UnavailableError,
    UnknownHandlerError,
    parse_event,
)

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)

RELAY_LEASE = "outbox-relay"
UNPARSABLE = "<unparsable>"
"""The handler name under which an event this code cannot parse is dead-lettered (replay parses it again)."""


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
        handler_timeout: float = 30.0,
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
        self._graves = Graves(transactions, clock, EventStamper(clock, ids))
        policy = retry or RetryPolicy()
        self._runner = HandlerRunner(policy, timeout=handler_timeout, sleep=sleep)
        self._replay_time = timedelta(seconds=handler_timeout * policy.attempts + sum(policy.delays()))
        self._poll_interval = poll_interval
        self._lease_ttl = timedelta(seconds=lease_ttl)
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._owner = f"relay-{ids.new_id()}"
        self._lease_until: datetime | None = None
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

        Whatever is left stays in the outbox, durable, for the next start. The lease is always given up, so
        another process can take over at once.
        """
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        try:
            if task is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), timeout=drain_timeout)
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            self._lease_until = None
            try:
                await self._outbox.release_lease(RELAY_LEASE, self._owner)
            except Exception:
                log.warning("could not release the relay lease; it expires on its own", exc_info=True)

    @property
    def running(self) -> bool:
        """Whether the background relay is alive."""
        return self._task is not None and not self._task.done()

    async def check_running(self) -> None:
        """Readiness probe: raise ``UnavailableError`` unless the background relay is alive."""
        if not self.running:
            raise UnavailableError("El reparto de eventos no está en marcha.")

    async def deliver_pending(self) -> int:
        """Deliver everything deliverable now, if this bus holds or can take the relay lease.

        Returns how many records were delivered. For tests, for commands that run without a background
        relay, and for the final drain on stop. Stops early when a pass makes no progress (a record that
        cannot be finished now waits for the next pass instead of being retried in a tight loop).
        """
        delivered = 0
        while True:
            progress = await self._deliver_batch()
            if progress == 0:
                return delivered
            delivered += progress

    # --- replay -----------------------------------------------------------------------------------------

    async def replay(self, dead_letter_id: str) -> DeadLetter:
        """Deliver a dead letter again (with the usual retries) and mark it replayed.

        A dead letter of a handler goes to that handler; one this code could not parse when it failed
        (``<unparsable>``) is parsed again and goes to every handler of its type. The replay first claims
        the dead letter (a lease in the storage, atomic across processes), so two replays started at once
        deliver it once: the second is refused while the first runs, and finds it replayed afterwards.

        Raises:
            DeadLetterNotFoundError: no such dead letter.
            DeadLetterAlreadyReplayedError: an earlier replay already delivered it.
            DeadLetterReplayInProgressError: another process is replaying it now.
            UnknownHandlerError: its handler is no longer subscribed.
            ReplayFailedError: delivery failed again; the dead letter keeps the new error.
        """
        letter = await self._dead_letters.get(dead_letter_id)
        if letter is None:
            raise DeadLetterNotFoundError(dead_letter_id)
        targets = self._replay_targets(letter)
        claim = f"replay:{dead_letter_id}"
        now = self._clock.now()
        # Long enough for every attempt of every target to time out, so a live replay never loses its claim;
        # a replaying process that dies frees it after that long.
        until = now + self._replay_time * max(1, len(targets)) + self._lease_ttl
        if not await self._outbox.acquire_lease(claim, self._owner, now, until):
            raise DeadLetterReplayInProgressError(dead_letter_id)
        try:
            # Read again under the claim: a replay that finished just before ours took it has marked it.
            letter = await self._dead_letters.get(dead_letter_id)
            if letter is None:
                raise DeadLetterNotFoundError(dead_letter_id)
            if letter.replayed_at is not None:
                raise DeadLetterAlreadyReplayedError(dead_letter_id)
            return await self._replay_claimed(letter, targets)
        finally:
            try:
                await self._outbox.release_lease(claim, self._owner)
            except Exception:
                log.warning("could not release replay claim %s; it expires on its own", claim, exc_info=True)

    def _replay_targets(self, letter: DeadLetter) -> list[Subscription]:
        if letter.replayed_at is not None:
            raise DeadLetterAlreadyReplayedError(letter.dead_letter_id)
        if letter.handler == UNPARSABLE:
            return self._by_type.get(letter.event_type, [])
        if letter.handler in self._subscriptions:
            return [self._subscriptions[letter.handler]]
        raise UnknownHandlerError(letter.handler)

    async def _replay_claimed(self, letter: DeadLetter, targets: list[Subscription]) -> DeadLetter:
        try:
            event = parse_event(letter.payload)
        except ValueError as exc:
            outcome = Outcome(ok=False, attempts=1, error=f"{type(exc).__name__}: {exc}")
        else:
            outcome = Outcome(ok=True, attempts=0)
            for subscription in targets:
                result = await self._runner.run(subscription, event)
                attempts = outcome.attempts + result.attempts
                outcome = Outcome(
                    ok=outcome.ok and result.ok, attempts=attempts, error=result.error or outcome.error
                )
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
            raise ReplayFailedError(letter.dead_letter_id, outcome.error)
        log.info("dead letter %s replayed to %s", letter.dead_letter_id, letter.handler)
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
        try:
            await self.deliver_pending()
        except Exception:
            log.exception("the final delivery before stopping failed; the events stay in the outbox")

    async def _hold_lease(self) -> bool:
        """Take the relay lease, or renew it once a third of it has passed; return whether we hold it."""
        now = self._clock.now()
        if self._lease_until is not None and now < self._lease_until - self._lease_ttl * 2 / 3:
            return True  # taken moments ago: nobody else can hold it before it ends
        return await self._renew_lease(now)

    async def _renew_lease(self, now: datetime | None = None) -> bool:
        now = now or self._clock.now()
        until = now + self._lease_ttl
        held = await self._outbox.acquire_lease(RELAY_LEASE, self._owner, now, until)
        self._lease_until = until if held else None
        return held

    async def _deliver_batch(self) -> int:
        async with self._delivering:
            if not await self._hold_lease():
                return 0
            records = await self._outbox.pending(self._batch_size)
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
                log.error("the relay lost its lease mid-batch; another process delivers from now on")  # noqa: TRY400
                return 0
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper

    async def _keep_lease(self, delivery: asyncio.Task[int]) -> None:
        """Renew the lease every third of its length while a batch runs; cancel the batch if it is lost."""
        while not delivery.done():
            await asyncio.sleep(self._lease_ttl.total_seconds() / 3)
            try:
                held = await self._renew_lease()
            except Exception:
                log.warning("could not renew the relay lease", exc_info=True)
                held = self._lease_until is not None and self._clock.now() < self._lease_until
            if not held:
                delivery.cancel()
                return

    async def _deliver_streams(self, records: Sequence[OutboxRecord]) -> int:
        gate = asyncio.Semaphore(self._concurrency)

        async def deliver_stream(stream: list[OutboxRecord]) -> int:
            async with gate:
                done = 0
                for record in stream:
                    try:
                        await self._deliver(record)
                    except Exception:
                        # Storage failed while finishing it: the user's later records wait behind it.
                        log.exception("could not finish outbox record %s; retrying later", record.event_id)
                        break
                    done += 1
                return done

        counts = await asyncio.gather(*(deliver_stream(stream) for stream in _streams(records)))
        return sum(counts)

    async def _deliver(self, record: OutboxRecord) -> None:
        try:
            event = parse_event(record.payload)
        except ValueError as exc:
            log.error("outbox record %s cannot be parsed (%s); dead-lettering it", record.event_id, exc)  # noqa: TRY400
            await self._graves.bury(record, None, UNPARSABLE, Outcome(ok=False, attempts=1, error=str(exc)))
            await self._outbox.mark_delivered(record.event_id)
            return
        waiting = [
            subscription
            for subscription in self._by_type.get(record.event_type, [])
            if subscription.name not in record.handled_by
        ]
        results = await asyncio.gather(
            *(self._hand(record, event, subscription) for subscription in waiting), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):  # every handler has finished or failed: none is left behind
                raise result
        await self._outbox.mark_delivered(record.event_id)

    async def _hand(self, record: OutboxRecord, event: Event, subscription: Subscription) -> None:
        outcome = await self._runner.run(subscription, event)
        if not outcome.ok:
            await self._graves.bury(record, event, subscription.name, outcome)
        await self._outbox.mark_handled(record.event_id, subscription.name)


def _streams(records: Sequence[OutboxRecord]) -> list[list[OutboxRecord]]:
    """Split records into per-user streams, each in position order; user-less records stand alone."""
    streams: dict[object, list[OutboxRecord]] = {}
    for record in sorted(records, key=lambda r: r.position):
        key: object = record.user_id if record.user_id is not None else record.event_id
        streams.setdefault(key, []).append(record)
    return list(streams.values())
