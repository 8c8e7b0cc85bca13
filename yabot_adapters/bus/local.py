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
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from yabot_adapters.bus.graves import Graves
from yabot_adapters.bus.handlers import HandlerRunner, Route, Subscription
from yabot_adapters.bus.relay import HandlerRelay
from yabot_adapters.bus.routes import Replayer, RoutedBus, RouteTable
from yabot_adapters.storage import StorageBackend
from yabot_adapters.units import Committed
from yabot_core.kernel import (
    Clock,
    DeadLetter,
    Event,
    EventStamper,
    IdGenerator,
    RetryPolicy,
    UnavailableError,
)

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)

EXPIRY_INTERVAL = timedelta(minutes=1)
"""How often a relay drops stale records of handlers with a ``max_age`` (also of handlers it does not run)."""


class LocalEventBus(RoutedBus):
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
        self._clock = clock
        self._graves = Graves(storage.transactions, clock, EventStamper(clock, ids))
        policy = retry or RetryPolicy()
        self._runner = HandlerRunner(policy, timeout=handler_timeout, sleep=sleep)
        self._poll_interval = poll_interval
        self._lease_ttl = timedelta(seconds=lease_ttl)
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._ack_interval = ack_interval
        self._owner = f"relay-{ids.new_id()}"
        self._table = RouteTable()
        self._replayer = Replayer(
            outbox=storage.outbox,
            dead_letters=storage.dead_letter_queries,
            transactions=storage.transactions,
            runner=self._runner,
            clock=clock,
            owner=self._owner,
            replay_time=timedelta(seconds=handler_timeout * policy.attempts + sum(policy.delays())),
        )
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
        subscription = self._table.subscribe(Route(name, route or event_type.event_type, max_age), handler)
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
        self._table.declare(Route(name, route or event_type.event_type, max_age), why)

    def routes_for(self, event: Event) -> Sequence[str]:
        """The handlers owed ``event`` (the storage asks at commit)."""
        return self._table.handlers_for(event)

    @property
    def subscriptions(self) -> Sequence[Subscription]:
        """The handlers this process runs, in the order they were subscribed."""
        return [relay.subscription for relay in self._relays.values()]

    @property
    def routes(self) -> Sequence[Route]:
        """Every declared handler, run here or not."""
        return self._table.routes

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

        Claimed first (a lease in the storage), so two replays started at once deliver it once; see
        :meth:`yabot_adapters.bus.routes.Replayer.replay` for the errors it raises.
        """
        return await self._replayer.replay(dead_letter_id, self._table)

    async def backlog(self) -> Mapping[str, int]:
        """How many events each handler is owed (handlers owed nothing are absent)."""
        return await self._outbox.backlog()

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
        for route in _with_max_age(self._table.routes):
            assert route.max_age is not None  # noqa: S101  (filtered just above)
            dropped = await self._outbox.expire(route.name, now - route.max_age)
            if dropped:
                log.warning(
                    "dropped %d stale event(s) owed to %s (older than %s)", dropped, route.name, route.max_age
                )


def _with_max_age(routes: Iterable[Route]) -> list[Route]:
    return [route for route in routes if route.max_age is not None]
