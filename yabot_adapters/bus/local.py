"""The in-process event bus: relays that deliver committed outbox records to the handlers they are owed.

Routes are declared once per process, identically everywhere (the module registry declares them): at commit,
each event is owed to every handler of its route, whether or not this process can run it. A process relays
only the handlers it runs (a process without a bot token leaves Telegram notices to one that has it).

Delivery is at-least-once: a handler's record is acknowledged only after the handler finished with it
(succeeded, or failed every attempt and became a dead letter). A crash leaves it owed and the next relay
delivers it again. One user's records reach each handler in commit order; a record that cannot be finished
(storage failing) holds back only its own user's later records for that handler.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from yabot_adapters.bus.graves import Graves
from yabot_adapters.bus.handlers import HandlerRunner, Outcome, Route, Subscription
from yabot_adapters.bus.relay import HandlerRelay
from yabot_adapters.storage import StorageBackend
from yabot_adapters.units import Committed
from yabot_core.kernel import (
    BusUnitOfWork,
    Clock,
    DeadLetter,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterReplayInProgressError,
    Event,
    EventBus,
    EventStamper,
    HandlerUnavailableError,
    IdGenerator,
    ReplayFailedError,
    RetryPolicy,
    UnavailableError,
    UnknownHandlerError,
    parse_event,
)

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)

EXPIRY_INTERVAL = timedelta(minutes=1)
"""How often a relay drops stale records of handlers with a ``max_age`` (also of handlers it does not run)."""


class LocalEventBus(EventBus):
    """Relays the outbox to in-process handlers (see the module docstring for the guarantees).

    Constructing it routes the storage's commits through its declared routes, and has a local commit wake the
    relays of the handlers it owes events (other processes' commits are found by polling).
    """

    def __init__(
        self,
        storage: StorageBackend,
        *,
        clock: Clock,
        ids: IdGenerator,
        retry: RetryPolicy | None = None,
        handler_timeout: float = 30.0,
        poll_interval: float = 1.0,
        lease_ttl: float = 15.0,
        batch_size: int = 200,
        concurrency: int = 32,
        ack_interval: float = 0.05,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._outbox = storage.outbox
        self._transactions = storage.transactions
        self._dead_letters = storage.dead_letter_queries
        self._clock = clock
        self._graves = Graves(storage.transactions, clock, EventStamper(clock, ids))
        policy = retry or RetryPolicy()
        self._runner = HandlerRunner(policy, timeout=handler_timeout, sleep=sleep)
        self._replay_time = timedelta(seconds=handler_timeout * policy.attempts + sum(policy.delays()))
        self._poll_interval = poll_interval
        self._lease_ttl = timedelta(seconds=lease_ttl)
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._ack_interval = ack_interval
        self._owner = f"relay-{ids.new_id()}"
        self._routes: dict[str, Route] = {}
        self._by_route: dict[str, list[str]] = {}
        self._absent: dict[str, str] = {}  # declared routes this process does not run -> why, in Spanish
        self._relays: dict[str, HandlerRelay] = {}
        self._last_expiry: datetime | None = None
        self._wakes: dict[str, asyncio.Event] = {}  # per handler run here, while started
        self._expiry_stop = asyncio.Event()
        self._expiring = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        storage.route_events(self.routes_for)
        storage.add_commit_listener(self.notify)

    # --- routes -----------------------------------------------------------------------------------------

    def subscribe(
        self,
        event_type: type[E],
        handler: Callable[[E], Awaitable[None]],
        *,
        name: str,
        route: str | None = None,
        max_age: timedelta | None = None,
    ) -> None:
        """Owe every event of ``event_type`` (or of ``route``) to ``handler``, and run it in this process.

        ``name`` identifies the handler durably (deliveries and dead letters remember it) and must be unique.
        """
        declared = self._declare(Route(name, route or event_type.event_type, max_age))
        subscription = Subscription(declared, handler)
        self._relays[name] = HandlerRelay(
            subscription,
            outbox=self._outbox,
            graves=self._graves,
            runner=self._runner,
            clock=self._clock,
            owner=self._owner,
            lease_ttl=self._lease_ttl,
            batch_size=self._batch_size,
            concurrency=self._concurrency,
            ack_interval=self._ack_interval,
        )

    def declare(
        self,
        event_type: type[Event],
        *,
        name: str,
        why: str,
        route: str | None = None,
        max_age: timedelta | None = None,
    ) -> None:
        """Owe events to a handler another process runs; ``why`` says (in Spanish) why this one cannot.

        Its events wait for a process that runs it (or, with ``max_age``, are dropped once stale).
        """
        self._declare(Route(name, route or event_type.event_type, max_age))
        self._absent[name] = why

    def _declare(self, route: Route) -> Route:
        if route.name in self._routes:
            msg = f"a handler named {route.name!r} is already declared"
            raise ValueError(msg)
        self._routes[route.name] = route
        self._by_route.setdefault(route.route, []).append(route.name)
        return route

    def routes_for(self, event: Event) -> Sequence[str]:
        """The handlers owed ``event`` (the storage asks at commit)."""
        return self._by_route.get(event.route, ())

    @property
    def subscriptions(self) -> Sequence[Subscription]:
        """The handlers this process runs, in the order they were subscribed."""
        return [relay.subscription for relay in self._relays.values()]

    @property
    def routes(self) -> Sequence[Route]:
        """Every declared handler, run here or not."""
        return list(self._routes.values())

    # --- lifecycle --------------------------------------------------------------------------------------

    def notify(self, commit: Committed) -> None:
        """Wake the relays of the handlers ``commit`` owes events (the storage calls it after each commit)."""
        for handler in commit.handlers:
            wake = self._wakes.get(handler)  # None: a handler another process runs, or not started
            if wake is not None:
                wake.set()

    async def start(self) -> None:
        """Start relaying in the background until :meth:`stop`.

        One loop per handler run here, so a slow or stuck handler holds back nobody else, and one loop that
        drops stale events now and then.
        """
        if self._tasks:
            return
        self._stopping = False
        self._wakes = {}
        for relay in self._relays.values():
            wake = self._wakes[relay.subscription.name] = asyncio.Event()
            self._tasks.append(
                asyncio.create_task(self._relay(relay, wake), name=f"yabot-relay-{relay.subscription.name}")
            )
        self._expiry_stop = asyncio.Event()  # not a wake: commits are no reason to look for stale events
        self._tasks.append(asyncio.create_task(self._expire_forever(), name="yabot-relay-expiry"))

    async def stop(self, *, drain_timeout: float = 5.0) -> None:
        """Stop relaying; first deliver what is pending, for at most ``drain_timeout`` seconds.

        Whatever is left stays in the outbox, durable, for the next start. The leases are always given up,
        so another process can take over at once.
        """
        self._stopping = True
        for wake in self._wakes.values():
            wake.set()
        self._expiry_stop.set()
        tasks, self._tasks = self._tasks, []
        try:
            if tasks:
                await asyncio.wait([asyncio.shield(task) for task in tasks], timeout=drain_timeout)
                for task in tasks:
                    if not task.done():
                        task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for relay in self._relays.values():
                try:
                    await relay.release()
                except Exception:
                    log.warning("could not release a relay lease; it expires on its own", exc_info=True)

    @property
    def running(self) -> bool:
        """Whether the background relays are alive."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def check_running(self) -> None:
        """Readiness probe: raise ``UnavailableError`` unless every background relay is alive."""
        if not self.running:
            raise UnavailableError("El reparto de eventos no está en marcha.")

    async def deliver_pending(self) -> int:
        """Deliver everything deliverable now, for every handler whose lease this bus holds or can take.

        Returns how many records were finished. For tests, for commands that run without a background relay,
        and for the final drain on stop. Each handler drains side by side with the others, until a batch
        makes no progress (a record that cannot be finished now waits for the next pass instead of being
        retried in a tight loop).
        """
        await self._expire_stale()
        delivered = 0
        while True:  # rounds: a handler's events may cause events for another that already drained
            progress = sum(await asyncio.gather(*(self._drain(relay) for relay in self._relays.values())))
            if progress == 0:
                return delivered
            delivered += progress

    # --- replay -----------------------------------------------------------------------------------------

    async def replay(self, dead_letter_id: str) -> DeadLetter:
        """Deliver a dead letter again to its handler (with the usual retries) and mark it replayed.

        The replay first claims the dead letter (a lease in the storage, atomic across processes), so two
        replays started at once deliver it once: the second is refused while the first runs, and finds it
        replayed afterwards.

        Raises:
            DeadLetterNotFoundError: no such dead letter.
            DeadLetterAlreadyReplayedError: an earlier replay already delivered it.
            DeadLetterReplayInProgressError: another process is replaying it now.
            UnknownHandlerError: no handler of that name is declared any more.
            HandlerUnavailableError: its handler cannot run in this process (no bot token, say).
            ReplayFailedError: delivery failed again; the dead letter keeps the new error.
        """
        letter = await self._dead_letters.get(dead_letter_id)
        if letter is None:
            raise DeadLetterNotFoundError(dead_letter_id)
        if letter.replayed_at is not None:
            raise DeadLetterAlreadyReplayedError(dead_letter_id)
        subscription = self._runnable(letter.handler)
        claim = f"replay:{dead_letter_id}"
        now = self._clock.now()
        # Long enough for every attempt to time out, so a live replay never loses its claim; a replaying
        # process that dies frees it after that long.
        if not await self._outbox.acquire_lease(claim, self._owner, now, now + self._replay_time):
            raise DeadLetterReplayInProgressError(dead_letter_id)
        try:
            # Read again under the claim: a replay that finished just before ours took it has marked it.
            letter = await self._dead_letters.get(dead_letter_id)
            if letter is None:
                raise DeadLetterNotFoundError(dead_letter_id)
            if letter.replayed_at is not None:
                raise DeadLetterAlreadyReplayedError(dead_letter_id)
            return await self._replay_claimed(letter, subscription)
        finally:
            try:
                await self._outbox.release_lease(claim, self._owner)
            except Exception:
                log.warning("could not release replay claim %s; it expires on its own", claim, exc_info=True)

    def _runnable(self, handler: str) -> Subscription:
        relay = self._relays.get(handler)
        if relay is not None:
            return relay.subscription
        if handler in self._absent:
            raise HandlerUnavailableError(handler, self._absent[handler])
        raise UnknownHandlerError(handler)

    async def _replay_claimed(self, letter: DeadLetter, subscription: Subscription) -> DeadLetter:
        try:
            event = parse_event(letter.payload)
        except ValueError as exc:
            outcome = Outcome(ok=False, attempts=1, error=f"{type(exc).__name__}: {exc}")
        else:
            outcome = await self._runner.run(subscription, event)
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

    async def _relay(self, relay: HandlerRelay, wake: asyncio.Event) -> None:
        """One handler's background loop: deliver while there is work, then wait for a commit or a poll."""
        while not self._stopping:
            wake.clear()
            delivered = await self._batch(relay)
            if delivered == 0 and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=self._poll_interval)
        await self._drain(relay)  # the final delivery before stopping (bounded by stop's timeout)

    async def _drain(self, relay: HandlerRelay) -> int:
        delivered = 0
        while True:
            progress = await self._batch(relay)
            if progress == 0:
                return delivered
            delivered += progress

    async def _batch(self, relay: HandlerRelay) -> int:
        try:
            return await relay.deliver_batch()
        except Exception:
            log.exception(
                "the relay of %s failed; retrying in %.1fs", relay.subscription.name, self._poll_interval
            )
            return 0

    async def _expire_forever(self) -> None:
        """Drop stale events every EXPIRY_INTERVAL until :meth:`stop`; nothing else wakes this loop."""
        while not self._stopping:
            try:
                await self._expire_stale()
            except Exception:
                log.warning("could not drop stale events; trying again later", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._expiry_stop.wait(), timeout=EXPIRY_INTERVAL.total_seconds())

    async def _expire_stale(self) -> None:
        now = self._clock.now()
        if self._last_expiry is not None and now - self._last_expiry < EXPIRY_INTERVAL:
            return
        async with self._expiring:
            await self._expire(now)
        self._last_expiry = now

    async def _expire(self, now: datetime) -> None:
        for route in _with_max_age(self._routes.values()):
            assert route.max_age is not None  # noqa: S101  (filtered just above)
            dropped = await self._outbox.expire(route.name, now - route.max_age)
            if dropped:
                log.warning(
                    "dropped %d stale event(s) owed to %s (older than %s)", dropped, route.name, route.max_age
                )


def _with_max_age(routes: Iterable[Route]) -> list[Route]:
    return [route for route in routes if route.max_age is not None]
