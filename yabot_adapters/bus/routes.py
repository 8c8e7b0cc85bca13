"""What every event bus adapter shares: its declared routes, the handlers it runs, and replaying dead letters.

The local bus and the Redis Streams bus route and replay the same way, so modules register handlers with one
API (``subscribe`` / ``declare``) and ``yabot events replay`` takes one code path whichever bus runs.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from yabot_adapters.bus.handlers import HandlerRunner, Outcome, Route, Subscription
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
    HandlerUnavailableError,
    OutboxStore,
    ReplayFailedError,
    Transactions,
    UnknownHandlerError,
    parse_event,
)

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)


class RoutedBus(EventBus, Protocol):
    """What the composition root, the lifecycle and the CLI ask of whichever event bus runs."""

    def subscribe(
        self,
        event_type: type[E],
        handler: Callable[[E], Awaitable[None]],
        *,
        name: str,
        route: str | None = None,
        max_age: timedelta | None = None,
    ) -> None:
        """Owe every event of ``event_type`` (or of ``route``) to ``handler``, and run it in this process."""
        ...

    def declare(
        self,
        event_type: type[Event],
        *,
        name: str,
        why: str,
        route: str | None = None,
        max_age: timedelta | None = None,
    ) -> None:
        """Owe events to a handler another process runs; ``why`` says (in Spanish) why this one cannot."""
        ...

    @property
    def subscriptions(self) -> Sequence[Subscription]:
        """The handlers this process runs."""
        ...

    @property
    def routes(self) -> Sequence[Route]:
        """Every declared handler, run here or not."""
        ...

    async def start(self) -> None:
        """Start delivering in the background."""
        ...

    async def stop(self, *, drain_timeout: float = 5.0) -> None:
        """Stop delivering, after at most ``drain_timeout`` seconds of draining."""
        ...

    async def check_running(self) -> None:
        """Readiness probe: raise ``UnavailableError`` unless delivery runs."""
        ...

    async def deliver_pending(self) -> int:
        """Deliver everything deliverable now; return how many events were finished."""
        ...

    async def replay(self, dead_letter_id: str) -> DeadLetter:
        """Deliver a dead letter again to its handler, once."""
        ...

    async def backlog(self) -> Mapping[str, int]:
        """How many events wait, per handler (and, for a bus that relays them elsewhere, to be relayed)."""
        ...


class RouteTable:
    """Declared routes by handler name and by route, and why a declared handler is not run here."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._by_route: dict[str, list[str]] = {}
        self._absent: dict[str, str] = {}  # declared routes this process does not run -> why, in Spanish
        self._running: dict[str, Subscription] = {}

    def subscribe(self, route: Route, handler: Callable[[Any], Awaitable[None]]) -> Subscription:
        """Declare ``route`` and run ``handler`` for it here; return the subscription."""
        subscription = Subscription(self._declare(route), handler)
        self._running[route.name] = subscription
        return subscription

    def declare(self, route: Route, why: str) -> None:
        """Declare ``route`` for a handler another process runs (``why`` this one does not, in Spanish)."""
        self._declare(route)
        self._absent[route.name] = why

    def _declare(self, route: Route) -> Route:
        if route.name in self._routes:
            msg = f"a handler named {route.name!r} is already declared"
            raise ValueError(msg)
        self._routes[route.name] = route
        self._by_route.setdefault(route.route, []).append(route.name)
        return route

    def handlers_for(self, event: Event) -> Sequence[str]:
        """The handlers owed ``event``."""
        return self._by_route.get(event.route, ())

    @property
    def routes(self) -> list[Route]:
        """Every declared route, in declaration order."""
        return list(self._routes.values())

    @property
    def running(self) -> list[Subscription]:
        """The subscriptions run here, in the order they were subscribed."""
        return list(self._running.values())

    def runnable(self, handler: str) -> Subscription:
        """The subscription of ``handler`` if this process runs it.

        Raises:
            HandlerUnavailableError: it is declared but runs elsewhere (why, in Spanish).
            UnknownHandlerError: no handler of that name is declared.
        """
        subscription = self._running.get(handler)
        if subscription is not None:
            return subscription
        if handler in self._absent:
            raise HandlerUnavailableError(handler, self._absent[handler])
        raise UnknownHandlerError(handler)


class Replayer:
    """Replays dead letters: claims one (a lease in storage), delivers it with retries, marks the outcome."""

    def __init__(
        self,
        *,
        outbox: OutboxStore,
        dead_letters: DeadLetterQueries,
        transactions: Transactions[BusUnitOfWork],
        runner: HandlerRunner,
        clock: Clock,
        owner: str,
        replay_time: timedelta,
    ) -> None:
        self._outbox = outbox
        self._dead_letters = dead_letters
        self._transactions = transactions
        self._runner = runner
        self._clock = clock
        self._owner = owner
        self._replay_time = replay_time

    async def replay(self, dead_letter_id: str, table: RouteTable) -> DeadLetter:
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
        subscription = table.runnable(letter.handler)
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
