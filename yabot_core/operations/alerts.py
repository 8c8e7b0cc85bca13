"""Alerts to the admins: one message when a problem starts, a reminder while it lasts, one when it ends.

A problem has a bounded ``key`` (``telegram``, ``modulo:wallet.saldos``, ``inconsistencia:wallet.ledger``,
``manejador:wallet.grant_notice``).
Whether it is open lives in storage, as a durable timer keyed by the problem: raising an open problem, or
resolving a closed one, changes nothing and says nothing, so N processes that all see the same trouble send
one message, not N. The reminder is another timer of the same problem; each time it fires it records a
reminder and schedules the next. Every message goes out as an event through the outbox (so an alert
waits, like any notice, while Telegram is away), and the application's handler sends it to the admins.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import ClassVar, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from yabot_core.kernel import (
    Clock,
    DeadLetter,
    Event,
    EventStamper,
    TimerFired,
    TimerStore,
    TimersUnitOfWork,
    Transactions,
    new_timer,
)

ALERT_OPEN: Final = "operations.alert"
"""Kind of the timer that marks a problem open (it is due only in ten years: it is a record, not a call)."""
ALERT_REMINDER: Final = "operations.alert-reminder"
"""Kind of the timer that reminds the admins of a problem still open."""
REMIND_EVERY: Final = timedelta(minutes=30)
"""How often a problem still open is recalled."""
DEAD_LETTERS_PREFIX: Final = "manejador:"
"""Keys of a handler's dead letters' problems (``manejador:wallet.grant_notice``): one per handler."""
DEAD_LETTERS_PROBLEM: Final = "operations-problem-handler"
_KEPT: Final = timedelta(days=3650)
_MAX_ARG: Final = 300


class Problem(BaseModel):
    """Something wrong: ``key`` names it (bounded), ``message`` is its text's id, ``args`` fill it."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1, max_length=120)
    message: str = Field(min_length=1, max_length=64)
    args: dict[str, str | int] = Field(default_factory=dict)


class OpenProblem(BaseModel):
    """A problem the admins were told of and not yet told has ended."""

    model_config = ConfigDict(frozen=True)

    problem: Problem
    since: AwareDatetime


class ModuleHealthCheckFailed(Event):
    """A module's health check kept failing: published once when the problem opens (with its alert)."""

    event_type: ClassVar[str] = "operations.module_health_check_failed"

    module: str
    check: str
    reason: str


class AlertRaised(Event):
    """A problem started: the admins are to be told once."""

    event_type: ClassVar[str] = "operations.alert_raised"

    problem: Problem


class AlertReminded(Event):
    """A problem is still open after another reminder period."""

    event_type: ClassVar[str] = "operations.alert_reminded"

    problem: Problem
    since: AwareDatetime


class AlertResolved(Event):
    """A problem ended: the admins are to be told it is resolved."""

    event_type: ClassVar[str] = "operations.alert_resolved"

    problem: Problem
    since: AwareDatetime


def dead_letters_key(handler: str) -> str:
    """The problem key of ``handler``'s dead letters: one alert per handler, however many it leaves."""
    return f"{DEAD_LETTERS_PREFIX}{handler}"


def dead_letters_problem(letter: DeadLetter) -> Problem:
    """The problem a handler's dead letter opens, told with what the admins need to replay that one."""
    args: dict[str, str | int] = {
        "manejador": letter.handler,
        "evento": letter.event_type,
        "intentos": letter.attempts,
        "error": letter.error,
        "id": letter.dead_letter_id,
    }
    return Problem(key=dead_letters_key(letter.handler), message=DEAD_LETTERS_PROBLEM, args=args)


def _open_key(key: str) -> str:
    return f"{ALERT_OPEN}:{key}"


def _reminder_key(key: str) -> str:
    return f"{ALERT_REMINDER}:{key}"


class Alerts:
    """Opens and closes problems in storage, recording the events that tell the admins."""

    def __init__(
        self,
        transactions: Transactions[TimersUnitOfWork],
        timers: TimerStore,
        clock: Clock,
        stamper: EventStamper,
        *,
        remind_every: timedelta = REMIND_EVERY,
    ) -> None:
        self._transactions = transactions
        self._timers = timers
        self._clock = clock
        self._stamper = stamper
        self._remind_every = remind_every

    async def raise_problem(self, problem: Problem, *, with_events: Sequence[Event] = ()) -> bool:
        """Open ``problem`` and tell the admins, unless it is already open; return whether this opened it.

        ``with_events`` are published too, in the same commit, only by the call that opens the problem.
        """
        args = {
            name: value if isinstance(value, int) else value[:_MAX_ARG]
            for name, value in problem.args.items()
        }
        problem = problem.model_copy(update={"args": args})

        async def work(uow: TimersUnitOfWork) -> bool:
            if await uow.timers.get(_open_key(problem.key)) is not None:
                return False
            now = self._clock.now()
            payload: dict[str, JsonValue] = {
                "problem": problem.model_dump(mode="json"),
                "since": now.isoformat(),
            }
            await uow.timers.schedule(
                new_timer(_open_key(problem.key), ALERT_OPEN, now + _KEPT, now=now, payload=payload)
            )
            await uow.timers.schedule(
                new_timer(
                    _reminder_key(problem.key),
                    ALERT_REMINDER,
                    now + self._remind_every,
                    now=now,
                    payload=payload,
                )
            )
            uow.record(AlertRaised(**self._stamper.stamp(), problem=problem))
            for event in with_events:
                uow.record(event)
            return True

        return await self._transactions.run(work)

    async def resolve(self, key: str) -> bool:
        """Close the problem ``key`` and tell the admins, if it is open; return whether this closed it."""

        async def work(uow: TimersUnitOfWork) -> bool:
            timer = await uow.timers.get(_open_key(key))
            if timer is None:
                return False
            await uow.timers.cancel(_open_key(key))
            await uow.timers.cancel(_reminder_key(key))
            opened = _opened(timer.payload)
            uow.record(AlertResolved(**self._stamper.stamp(), problem=opened.problem, since=opened.since))
            return True

        return await self._transactions.run(work)

    async def remind(self, event: TimerFired) -> None:
        """A reminder came due: recall the problem if still open, and schedule the next reminder."""
        key = _opened(event.payload).problem.key

        async def work(uow: TimersUnitOfWork) -> None:
            timer = await uow.timers.get(_open_key(key))
            if timer is None or await uow.timers.get(_reminder_key(key)) is not None:
                return  # resolved meanwhile, or this reminder was already handled (a redelivery)
            opened = _opened(timer.payload)
            now = self._clock.now()
            await uow.timers.schedule(
                new_timer(
                    _reminder_key(key),
                    ALERT_REMINDER,
                    now + self._remind_every,
                    now=now,
                    payload=timer.payload,
                )
            )
            uow.record(AlertReminded(**self._stamper.stamp(), problem=opened.problem, since=opened.since))

        await self._transactions.run(work)

    async def open_problems(self, *, limit: int = 200) -> Sequence[OpenProblem]:
        """The problems open now, oldest first (``yabot status``, the monitor's resolutions)."""
        timers = await self._timers.pending(limit=limit, kind=ALERT_OPEN)
        return sorted((_opened(timer.payload) for timer in timers), key=lambda opened: opened.since)


def _opened(payload: Mapping[str, object]) -> OpenProblem:
    return OpenProblem.model_validate({"problem": payload["problem"], "since": payload["since"]})


def minutes_between(since: datetime, now: datetime) -> int:
    """Whole minutes from ``since`` to ``now`` (at least 1), for the admins' messages."""
    return max(1, int((now - since).total_seconds() // 60))
