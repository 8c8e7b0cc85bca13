"""Running one handler on one event: its correlation scope, a time limit per attempt, the retry policy."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from yabot_core.kernel import CircuitOpenError, Event, RetryPolicy, correlation_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Route:
    """A handler owed events on ``route`` (an event type, or ``timer.fired:<kind>``), by a durable name.

    ``max_age`` marks events that are worthless once old (a Telegram notice days late): those are dropped
    instead of delivered, and no process keeps them forever for a handler nobody runs.
    """

    name: str
    route: str
    max_age: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    """A route this process runs: its handler."""

    route: Route
    handler: Callable[[Any], Awaitable[None]]

    @property
    def name(self) -> str:
        """The handler's durable name."""
        return self.route.name


@dataclass(frozen=True, slots=True)
class Outcome:
    """How handling went: success, or the last error after every attempt."""

    ok: bool
    attempts: int
    error: str = ""


def _worth_retrying(exc: BaseException) -> bool:
    """Any failure but a cancellation (``BaseException``) and an open breaker (the event waits instead)."""
    return isinstance(exc, Exception) and not isinstance(exc, CircuitOpenError)


class HandlerCancelledError(RuntimeError):
    """A handler raised ``CancelledError`` although nobody cancelled the relay: a failed attempt."""


class HandlerRunner:
    """Runs a handler with :class:`RetryPolicy` (tenacity), each attempt within ``timeout`` seconds.

    The time limit keeps one stuck call (a network request that never answers) from holding its user's events
    and the relay's lease forever. A ``CancelledError`` the handler raises on its own counts as a failure;
    only a cancellation of the relay itself propagates.
    """

    def __init__(
        self, policy: RetryPolicy, *, timeout: float, sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self._policy = policy
        self._timeout = timeout
        self._sleep = sleep

    async def run(self, subscription: Subscription, event: Event) -> Outcome:
        """Deliver ``event`` to the subscription's handler; never raises for the handler's failures.

        Except one: an open circuit breaker (``CircuitOpenError``: storage or Telegram away) spends no
        attempt and propagates at once, so the relay leaves the event in the outbox for later instead of
        burning its retries (and dead-lettering it) against a dependency known to be down.
        """
        policy = self._policy
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            wait=wait_exponential(
                multiplier=policy.first_delay, exp_base=policy.multiplier, max=policy.max_delay
            ),
            sleep=self._sleep,
            retry=retry_if_exception(_worth_retrying),
            reraise=False,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    await self._attempt(subscription, event)
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
            return Outcome(ok=False, attempts=attempts, error=f"{type(cause).__name__}: {cause}")
        return Outcome(ok=True, attempts=attempts)

    async def _attempt(self, subscription: Subscription, event: Event) -> None:
        with correlation_scope(event.correlation_id, event.event_id):
            try:
                async with asyncio.timeout(self._timeout):
                    await subscription.handler(event)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # the relay itself is being cancelled
                msg = f"the handler raised CancelledError on its own ({subscription.name})"
                raise HandlerCancelledError(msg) from None
            except TimeoutError as exc:
                msg = f"no answer within {self._timeout:g} s"
                raise TimeoutError(msg) from exc
