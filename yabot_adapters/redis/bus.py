"""The production event bus: the outbox relayed into Redis Streams, a consumer group per handler (ADR 0009).

Committed events still enter through the storage's outbox (a committed change never loses its event). The
publisher (:mod:`.publisher`) moves them into ``partitions`` streams, a user's always into the same one, in
commit order. Every declared handler has a consumer group on every stream; this process runs a consumer
(:mod:`.consumer`) in the groups of the handlers it runs. Dead letters live where the local bus keeps them
(storage), so ``yabot events dead-letters`` and ``replay`` work unchanged.

Streams are trimmed below the oldest entry any group still needs (its oldest unacknowledged entry, or the
last one it read): an entry a group has not acknowledged is never dropped.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from yabot_adapters.bus.graves import Graves
from yabot_adapters.bus.handlers import HandlerRunner, Route, Subscription
from yabot_adapters.bus.routes import Replayer, RoutedBus, RouteTable
from yabot_adapters.redis.consumer import GroupConsumer
from yabot_adapters.redis.publisher import StreamPublisher
from yabot_adapters.redis.streams import PUBLISHER, Layout
from yabot_adapters.redis.upkeep import StreamUpkeep
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


class RedisUnreachableError(UnavailableError):
    """Redis was chosen for the events but does not answer."""

    code = "redis_no_disponible"

    def __init__(self, where: str, why: str) -> None:
        super().__init__(
            f"No se puede conectar con Redis en {where} ({why}). Arránquelo, corrija YABOT_REDIS_URL "
            "o use YABOT_BUS=local.",
            detail={"redis": where},
        )


def describe_url(client: "Redis") -> str:
    """Where ``client`` connects, without a password."""
    kwargs: dict[str, Any] = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix://{kwargs['path']}"
    return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


class RedisEventBus(RoutedBus):
    """Relays the outbox through Redis Streams to consumer groups, one per handler (module docstring).

    The registration API is the local bus's: ``subscribe`` for handlers run here, ``declare`` for those
    another process runs; every process declares the same routes.
    """

    def __init__(
        self,
        storage: StorageBackend,
        client: "Redis",
        *,
        clock: Clock,
        ids: IdGenerator,
        retry: RetryPolicy | None = None,
        partitions: int = 8,
        prefix: str = "yabot",
        handler_timeout: float = 30.0,
        poll_interval: float = 1.0,
        lease_ttl: float = 15.0,
        batch_size: int = 200,
        concurrency: int = 32,
        trim_interval: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        owns_client: bool = False,
    ) -> None:
        self._storage = storage
        self._client = client
        self._owns_client = owns_client
        self._clock = clock
        self._layout = Layout(prefix, partitions)
        self._policy = retry or RetryPolicy()
        self._runners = {
            n: HandlerRunner(_with_attempts(self._policy, n), timeout=handler_timeout, sleep=sleep)
            for n in range(1, self._policy.attempts + 1)
        }
        self._graves = Graves(storage.transactions, clock, EventStamper(clock, ids))
        self._owner = f"bus-{ids.new_id()}"
        self._lease_ttl = timedelta(seconds=lease_ttl)
        self._poll_interval = min(poll_interval, lease_ttl / 3)  # a blocked read must not outlive a renewal
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._trim_interval = trim_interval
        self._table = RouteTable()
        self._replayer = Replayer(
            outbox=storage.outbox,
            dead_letters=storage.dead_letter_queries,
            transactions=storage.transactions,
            runner=self._runners[self._policy.attempts],
            clock=clock,
            owner=self._owner,
            replay_time=timedelta(
                seconds=handler_timeout * self._policy.attempts + sum(self._policy.delays())
            ),
        )
        self._publisher = StreamPublisher(
            client,
            self._layout,
            outbox=storage.outbox,
            clock=clock,
            owner=self._owner,
            lease_ttl=self._lease_ttl,
            batch_size=batch_size,
        )
        self._consumers: dict[str, GroupConsumer] = {}
        self._upkeep = StreamUpkeep(client, self._layout, self._table)
        self._groups_ready = False
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        storage.route_events(self.routes_for)
        storage.add_commit_listener(self.notify)

    @classmethod
    def from_url(cls, url: str, storage: StorageBackend, **options: Any) -> "RedisEventBus":  # noqa: ANN401
        """A bus on the Redis server at ``url`` (``redis://host:port/db``), owning its client."""
        return cls(storage, Redis.from_url(url, decode_responses=True), owns_client=True, **options)

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
        """Owe every event of ``event_type`` (or of ``route``) to ``handler``, and consume its group here.

        ``name`` identifies the handler durably (its consumer group and dead letters) and must be unique.
        """
        subscription = self._table.subscribe(Route(name, route or event_type.event_type, max_age), handler)
        self._consumers[name] = GroupConsumer(
            subscription,
            self._client,
            self._layout,
            consumer=self._owner,
            graves=self._graves,
            policy=self._policy,
            runners=self._runners,
            clock=self._clock,
            lease_ttl=self._lease_ttl,
            batch_size=self._batch_size,
            concurrency=self._concurrency,
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

        Its group is created here too, so its entries wait (and keep the streams from being trimmed past
        them) until a process runs it; with ``max_age``, stale ones are skipped.
        """
        self._table.declare(Route(name, route or event_type.event_type, max_age), why)

    def routes_for(self, event: Event) -> Sequence[str]:
        """What storage owes ``event`` at commit: the publisher, if any declared handler wants it."""
        return (PUBLISHER,) if self._table.handlers_for(event) else ()

    @property
    def subscriptions(self) -> Sequence[Subscription]:
        """The handlers this process runs, in the order they were subscribed."""
        return self._table.running

    @property
    def routes(self) -> Sequence[Route]:
        """Every declared handler, run here or not."""
        return self._table.routes

    @property
    def layout(self) -> Layout:
        """Key names and partitions."""
        return self._layout

    # --- lifecycle --------------------------------------------------------------------------------------

    def notify(self, commit: Committed) -> None:
        """Wake the publisher when a local commit owes it events (the storage calls it after each commit)."""
        if PUBLISHER in commit.handlers:
            self._wake.set()

    async def start(self) -> None:
        """Check Redis answers (in Spanish if not), create the groups, then publish and consume until stop.

        Raises:
            RedisUnreachableError: Redis does not answer.
        """
        if self._tasks:
            return
        await self.ping()
        await self._prepare()
        self._stopping = False
        self._stop = asyncio.Event()
        self._tasks = [asyncio.create_task(self._publish_forever(), name="yabot-redis-publisher")]
        self._tasks += [
            asyncio.create_task(self._consume_forever(consumer), name=f"yabot-redis-{name}")
            for name, consumer in self._consumers.items()
        ]
        self._tasks.append(asyncio.create_task(self._maintain_forever(), name="yabot-redis-trim"))

    async def ping(self) -> None:
        """Raise :class:`RedisUnreachableError` (a Spanish message) unless Redis answers."""
        try:
            await self._client.ping()
        except (RedisError, OSError) as exc:
            raise RedisUnreachableError(describe_url(self._client), type(exc).__name__) from exc

    async def stop(self, *, drain_timeout: float = 5.0) -> None:
        """Stop; first publish and consume what is there, for at most ``drain_timeout`` seconds.

        Whatever is left stays in the outbox or the streams, durable. Leases are given up, so another process
        takes over at once.
        """
        self._stopping = True
        self._stop.set()
        self._wake.set()
        tasks, self._tasks = self._tasks, []
        try:
            if tasks:
                await asyncio.wait([asyncio.shield(task) for task in tasks], timeout=drain_timeout)
                for task in tasks:
                    if not task.done():
                        task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            try:
                await self._publisher.release()
                for consumer in self._consumers.values():
                    await consumer.leave()
            except Exception:
                log.warning("could not give the event leases up; they expire on their own", exc_info=True)
            if self._owns_client:
                await self._client.aclose()

    @property
    def running(self) -> bool:
        """Whether the background loops are alive."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def check_running(self) -> None:
        """Readiness probe: raise ``UnavailableError`` unless the loops run and Redis answers."""
        if not self.running:
            raise UnavailableError("El reparto de eventos no está en marcha.")
        await self.ping()

    async def deliver_pending(self) -> int:
        """Publish and consume everything deliverable now, without waiting; return how many handlers' events.

        For tests and commands without background loops. Rounds until nothing moves: a handler's events may
        cause events for another.
        """
        await self._prepare()
        done = 0
        while True:
            published = 0
            while moved := await self._publisher.publish_batch():
                published += moved
            finished = handled = 0
            for consumer in self._consumers.values():
                while (progress := await consumer.consume(block=None)).finished:
                    finished += progress.finished
                    handled += progress.handled
            if not published and not finished:
                return done
            done += handled

    async def replay(self, dead_letter_id: str) -> DeadLetter:
        """Deliver a dead letter again to its handler, once (the local bus's code path: :class:`Replayer`)."""
        return await self._replayer.replay(dead_letter_id, self._table)

    async def backlog(self) -> Mapping[str, int]:
        """How many events wait, per handler and over every stream; zeros are left out.

        A handler's wait is what its group was given and has not acknowledged, plus the entries of its route
        it has not read yet (counted by reading them: an operator's question, not a hot path); under
        :data:`PUBLISHER`, what the outbox has not published yet.
        """
        counts = {PUBLISHER: (await self._storage.outbox.backlog()).get(PUBLISHER, 0)}
        try:
            for stream in self._layout.streams:
                for name, waiting in (await self._upkeep.backlog(stream)).items():
                    counts[name] = counts.get(name, 0) + waiting
        except (RedisError, OSError) as exc:
            raise RedisUnreachableError(describe_url(self._client), type(exc).__name__) from exc
        return {name: count for name, count in counts.items() if count}

    # --- streams ----------------------------------------------------------------------------------------

    async def _prepare(self) -> None:
        """Create every declared handler's group on every stream (from now on), once per process."""
        if not self._groups_ready:
            await self._upkeep.create_groups()
            self._groups_ready = True

    async def trim(self) -> int:
        """Drop stream entries every group is done with; return how many went (:meth:`StreamUpkeep.trim`)."""
        return await self._upkeep.trim()

    async def skip_stale(self) -> None:
        """Move the groups of handlers with a ``max_age`` past entries too old to matter."""
        await self._upkeep.skip_stale()

    # --- loops ------------------------------------------------------------------------------------------

    async def _publish_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                moved = await self._publisher.publish_batch()
            except Exception:
                log.exception("could not publish events to Redis; retrying in %.1fs", self._poll_interval)
                moved = 0
            if not moved and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
        with contextlib.suppress(Exception):
            while await self._publisher.publish_batch():  # the final drain, bounded by stop's timeout
                pass

    async def _consume_forever(self, consumer: GroupConsumer) -> None:
        while not self._stopping:
            try:
                await consumer.consume(block=self._poll_interval)
            except Exception as exc:
                if "NOGROUP" in str(exc):  # Redis lost its data (restarted without persistence)
                    log.warning("the groups of %s are gone from Redis; creating them again", consumer.group)
                    self._groups_ready = False
                    with contextlib.suppress(Exception):
                        await self._prepare()
                else:
                    log.exception("the consumer of %s failed; retrying", consumer.group)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self._poll_interval)
        with contextlib.suppress(Exception):
            while (await consumer.consume(block=None)).finished:
                pass

    async def _maintain_forever(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self._trim_interval)
            if self._stopping:
                return
            try:
                await self.skip_stale()
                dropped = await self.trim()
            except Exception:
                log.warning("could not trim the event streams; trying again later", exc_info=True)
            else:
                log.debug("trimmed %d finished entries from the event streams", dropped)


def _with_attempts(policy: RetryPolicy, attempts: int) -> RetryPolicy:
    return RetryPolicy(
        attempts=attempts,
        first_delay=policy.first_delay,
        multiplier=policy.multiplier,
        max_delay=policy.max_delay,
    )
