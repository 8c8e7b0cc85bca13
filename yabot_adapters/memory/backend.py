"""The in-memory storage backend: complete and atomic, for unit tests and ``--ephemeral`` runs."""

import inspect
from typing import Any

from yabot_adapters.memory.bus import BusState
from yabot_adapters.memory.slice import MemorySlice
from yabot_adapters.memory.slices import SLICES
from yabot_adapters.memory.transactions import InMemoryTransactions
from yabot_adapters.units import CommitListener, Units
from yabot_core.kernel import Clock, EventRouter, UnavailableError


class InMemoryStorage:
    """Every port of the core, kept in this process's memory (gone when it exits).

    Each registered slice (:mod:`yabot_adapters.memory.slices`) adds its repository to units of work and its
    read-only views as attributes (``storage.wallet_queries``); ``states`` holds each slice's data, by name.
    """

    def __init__(self, clock: Clock, *, slices: tuple[MemorySlice, ...] = SLICES) -> None:
        self.states: dict[str, Any] = {piece.name: piece.state() for piece in slices}
        bus = self.states["dead_letters"]
        if not isinstance(bus, BusState):
            msg = "the in-memory backend needs the bus slice"
            raise TypeError(msg)
        self._units = Units("memory")
        self._transactions = InMemoryTransactions(
            slices=slices, states=self.states, bus=bus, clock=clock, units=self._units
        )
        self._views: dict[str, object] = {
            name: make(self.states[piece.name]) for piece in slices for name, make in piece.queries.items()
        }

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (a read-only view of any module)
        try:
            return self._views[name]
        except KeyError:
            msg = f"the in-memory backend has no view named {name!r} (is its slice registered?)"
            raise AttributeError(msg) from None

    @property
    def transactions(self) -> InMemoryTransactions:
        """Atomic units of work."""
        return self._transactions

    async def open(self) -> None:
        """Nothing to prepare."""

    async def close(self) -> None:
        """Nothing to release."""

    async def ping(self) -> None:
        """Memory answers, unless a drill simulates an outage (:meth:`simulate_outage`).

        Raises:
            UnavailableError: during a simulated outage.
        """
        if self._transactions.outage is not None:
            raise UnavailableError(self._transactions.outage)

    def simulate_outage(self, on: bool = True) -> None:
        """Make units of work and ``ping`` fail as an unreachable storage would, until switched off.

        For fault drills (tests, ``make bench``): the data stays, nothing is half-written; read models keep
        answering from memory.
        """
        self._transactions.outage = "El almacenamiento no responde." if on else None
        self._views = {name: _Away(view) if on else _present(view) for name, view in self._views.items()}

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Tell ``listener`` what each commit held: the handlers owed, whether a timer was scheduled."""
        self._units.listeners.add(listener)

    def route_events(self, router: EventRouter) -> None:
        """Owe each committed event to the handlers ``router`` names."""
        self._units.router.install(router)


class _Away:
    """A read model during a simulated outage: every coroutine method raises ``UnavailableError``."""

    def __init__(self, view: object) -> None:
        self.view = view

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401  (whatever the view offers)
        attribute = getattr(self.view, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        async def away(*_args: object, **_kwargs: object) -> Any:  # noqa: ANN401
            raise UnavailableError("El almacenamiento no responde.")

        return away


def _present(view: object) -> object:
    return view.view if isinstance(view, _Away) else view
