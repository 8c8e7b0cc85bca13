"""Durable timers in memory: the kernel's timers slice."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from yabot_adapters.memory.slice import MemorySlice
from yabot_core.kernel import Timer, TimerRepository, TimerStore


@dataclass
class TimersState:
    """Timers not yet fired, by key."""

    timers: dict[str, Timer] = field(default_factory=dict)


_GONE = None


class InMemoryTimerRepository(TimerRepository):
    """The timer repository of one in-memory unit of work: schedules and removals are staged."""

    def __init__(self, state: TimersState) -> None:
        self._state = state
        self._staged: dict[str, Timer | None] = {}  # None: removed by this unit of work
        self.wakes = False

    async def schedule(self, timer: Timer) -> None:
        self.wakes = True  # the ticker of this process looks again at once (see SlicedUnitOfWork)
        self._staged[timer.key] = timer.model_copy(update={"claim": None, "claimed_until": None})

    async def cancel(self, key: str) -> bool:
        existed = await self.get(key) is not None
        self._staged[key] = _GONE
        return existed

    async def get(self, key: str) -> Timer | None:
        if key in self._staged:
            return self._staged[key]
        return self._state.timers.get(key)

    async def complete(self, timer: Timer) -> bool:
        current = await self.get(timer.key)
        if current is None or timer.claim is None or current.claim != timer.claim:
            return False
        self._staged[timer.key] = _GONE
        return True

    def apply(self) -> None:
        for key, timer in self._staged.items():
            if timer is None:
                self._state.timers.pop(key, None)
            else:
                self._state.timers[key] = timer


class InMemoryTimerStore(TimerStore):
    """Claims and listings over committed timers (each call runs without awaiting: atomic)."""

    def __init__(self, state: TimersState) -> None:
        self._state = state

    async def claim_due(self, now: datetime, claim: str, until: datetime, limit: int) -> Sequence[Timer]:
        due = sorted(
            (
                timer
                for timer in self._state.timers.values()
                if timer.due_at <= now and (timer.claimed_until is None or timer.claimed_until <= now)
            ),
            key=lambda timer: (timer.due_at, timer.key),
        )[: max(0, limit)]
        claimed = [timer.model_copy(update={"claim": claim, "claimed_until": until}) for timer in due]
        for timer in claimed:
            self._state.timers[timer.key] = timer
        return claimed

    async def pending(self, *, limit: int, kind: str | None = None) -> Sequence[Timer]:
        timers = [t for t in self._state.timers.values() if kind is None or t.kind == kind]
        return sorted(timers, key=lambda timer: (timer.due_at, timer.key))[: max(0, limit)]

    async def next_due(self) -> datetime | None:
        return min(
            (max(timer.due_at, timer.claimed_until or timer.due_at) for timer in self._state.timers.values()),
            default=None,
        )


SLICE = MemorySlice(
    name="timers",
    state=TimersState,
    repository=InMemoryTimerRepository,
    queries={"timer_store": InMemoryTimerStore},
)
