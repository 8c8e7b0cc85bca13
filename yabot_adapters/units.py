"""What every storage backend's units of work share: slices by name, staged events, routing, listeners.

The backends differ in how they isolate and commit (a lock and overlays in memory, a savepoint in SQLite's
group commit, a MongoDB transaction); everything else lives here once, so the three cannot drift apart:
- a unit of work exposes each module's repository under the module's name (``uow.wallets``), and stages the
  events it records;
- at commit, each event is routed to the handlers owed it (the bus's declared routes); an event owed to no
  handler is not kept;
- units of work do not nest;
- after a commit that owes events to handlers or scheduled a timer, listeners are told what it held (the
  handlers owed, whether a timer was scheduled), so each wakes only for what concerns it: a handler's relay
  for its events, the ticker for a timer; a listener that raises is logged, and the commit stands: the
  caller sees success.
"""

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from yabot_core.kernel import Event, EventRouter

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_ROUTES: Final[EventRouter] = lambda _event: ()  # noqa: E731  (a constant, not a function to document)
"""The router of a backend no bus has routed yet: events are owed to nobody and not kept."""


@dataclass(frozen=True, slots=True)
class RoutedEvent:
    """A committed event and the handlers it is owed (never empty)."""

    event: Event
    handlers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Committed:
    """What one commit held, as listeners hear it: whom its events are owed, whether it scheduled a timer."""

    handlers: frozenset[str] = frozenset()
    scheduled_timer: bool = False

    @property
    def news(self) -> bool:
        """Whether a listener could care: some handler is owed an event, or a timer was scheduled."""
        return bool(self.handlers) or self.scheduled_timer

    def __or__(self, other: "Committed") -> "Committed":
        """What two commits held together (a group commit carries several units of work)."""
        return Committed(self.handlers | other.handlers, self.scheduled_timer or other.scheduled_timer)


NOTHING: Final = Committed()
"""What a write that is no unit of work holds for the listeners (a lease, an acknowledgement, a claim)."""

CommitListener = Callable[[Committed], None]
"""Told, in this process, what each commit held."""


def route(events: Iterable[Event], router: EventRouter) -> list[RoutedEvent]:
    """Pair each event with the handlers ``router`` names; drop those owed to nobody."""
    routed = []
    for event in events:
        handlers = tuple(dict.fromkeys(router(event)))  # unique, in declaration order
        if handlers:
            routed.append(RoutedEvent(event, handlers))
    return routed


class SlicedUnitOfWork:
    """One unit of work: each module's repository as an attribute named after it, and the staged events.

    It satisfies every module's unit-of-work Protocol (``WalletUnitOfWork``...) through ``__getattr__``:
    each repository class declares the Protocol it implements, so mypy checks them where they are written.
    """

    __slots__ = ("_repositories", "events")

    def __init__(self, repositories: Mapping[str, object]) -> None:
        self._repositories = repositories
        self.events: list[Event] = []

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (a repository of any module)
        try:
            return self._repositories[name]
        except KeyError:
            msg = f"this storage has no repository named {name!r} (is its slice registered?)"
            raise AttributeError(msg) from None

    def record(self, event: Event) -> None:
        """Stage ``event``: it reaches the outbox with this unit of work's commit, or never."""
        self.events.append(event)

    def held(self, routed: Iterable[RoutedEvent]) -> Committed:
        """What this unit of work's commit holds for the listeners, given its ``routed`` events.

        A repository that sets ``wakes`` (the timers' do, on ``schedule``) marks it as scheduling a timer.
        """
        return Committed(
            handlers=frozenset(handler for event in routed for handler in event.handlers),
            scheduled_timer=any(getattr(repo, "wakes", False) for repo in self._repositories.values()),
        )


class CommitListeners:
    """Callbacks told what each commit held; their failures never undo a commit."""

    def __init__(self) -> None:
        self._listeners: list[CommitListener] = []

    def add(self, listener: CommitListener) -> None:
        """Tell ``listener`` what every later commit held, when it held news (see :attr:`Committed.news`)."""
        self._listeners.append(listener)

    def announce(self, commit: Committed) -> None:
        """Tell every listener what ``commit`` held, if news; one that raises is logged, the rest hear."""
        if not commit.news:
            return
        for listener in self._listeners:
            try:
                listener(commit)
            except Exception:
                log.exception("a commit listener failed; the commit stands")


class NestingGuard:
    """Refuses a unit of work started inside another of the same backend (a deadlock, or half a commit)."""

    def __init__(self, name: str) -> None:
        self._inside: ContextVar[bool] = ContextVar(name, default=False)

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` marked as inside a unit of work.

        Raises:
            RuntimeError: already inside one.
        """
        if self._inside.get():
            msg = "units of work do not nest"
            raise RuntimeError(msg)
        token = self._inside.set(True)
        try:
            return await work()
        finally:
            self._inside.reset(token)


class Router:
    """The router a backend consults at commit; the bus installs its routes once they are declared."""

    def __init__(self) -> None:
        self._router: EventRouter = NO_ROUTES

    def install(self, router: EventRouter) -> None:
        """Route every later commit's events with ``router``."""
        self._router = router

    def route(self, events: Sequence[Event]) -> list[RoutedEvent]:
        """The routed events of one commit."""
        return route(events, self._router) if events else []


class Units:
    """The shared half of a backend's ``Transactions``: nesting guard, routing and commit listeners."""

    def __init__(self, name: str) -> None:
        self.guard = NestingGuard(f"yabot_{name}_unit_of_work")
        self.router = Router()
        self.listeners = CommitListeners()
