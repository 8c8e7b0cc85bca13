"""In-memory units of work: serialized by a lock, staged in overlays, applied all at once on success."""

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TypeVar

from yabot_adapters.memory.state import MemoryState
from yabot_adapters.storage import StorageUnitOfWork
from yabot_core.gamification import Hold, LedgerEntry, Wallet, WalletRepository
from yabot_core.kernel import (
    Clock,
    ConcurrentUpdateError,
    DeadLetter,
    DeadLetterRepository,
    Event,
    IdempotencyKey,
    OutboxRecord,
    Transactions,
    UserId,
)
from yabot_core.users import User, UserRepository

T = TypeVar("T")

_inside: ContextVar[bool] = ContextVar("yabot_memory_tx", default=False)


class _Wallets(WalletRepository):
    """The wallet repository of one in-memory unit of work."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state
        self.wallets: dict[UserId, Wallet] = {}
        self.entries: list[LedgerEntry] = []
        self.holds: dict[str, Hold] = {}

    async def get(self, user_id: UserId) -> Wallet:
        staged = self.wallets.get(user_id) or self._state.wallets.get(user_id)
        return staged or Wallet(user_id=user_id)

    async def entry_by_key(self, key: IdempotencyKey) -> LedgerEntry | None:
        for entry in self.entries:
            if entry.idempotency_key == key:
                return entry
        return self._state.entries_by_key.get(key)

    async def append(self, entry: LedgerEntry) -> None:
        current = await self.get(entry.user_id)
        if current.sequence != entry.sequence - 1 or await self.entry_by_key(entry.idempotency_key):
            raise ConcurrentUpdateError
        self.entries.append(entry)
        self.wallets[entry.user_id] = Wallet(
            user_id=entry.user_id, balance=entry.balance_after, sequence=entry.sequence
        )

    async def get_hold(self, hold_id: str) -> Hold | None:
        return self.holds.get(hold_id) or self._state.holds.get(hold_id)

    async def save_hold(self, hold: Hold) -> None:
        self.holds[hold.hold_id] = hold

    def apply(self) -> None:
        self._state.wallets.update(self.wallets)
        for entry in self.entries:
            self._state.entries.setdefault(entry.user_id, []).append(entry)
            self._state.entries_by_key[entry.idempotency_key] = entry
        self._state.holds.update(self.holds)


class _Users(UserRepository):
    """The user repository of one in-memory unit of work."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state
        self.users: dict[UserId, User] = {}

    async def get(self, user_id: UserId) -> User | None:
        return self.users.get(user_id) or self._state.users.get(user_id)

    async def save(self, user: User) -> None:
        self.users[user.user_id] = user

    def apply(self) -> None:
        self._state.users.update(self.users)


class _DeadLetters(DeadLetterRepository):
    """The dead-letter repository of one in-memory unit of work."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state
        self.dead_letters: dict[str, DeadLetter] = {}

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return self.dead_letters.get(dead_letter_id) or self._state.dead_letters.get(dead_letter_id)

    async def save(self, dead_letter: DeadLetter) -> None:
        self.dead_letters[dead_letter.dead_letter_id] = dead_letter

    def apply(self) -> None:
        self._state.dead_letters.update(self.dead_letters)


class InMemoryUnitOfWork(StorageUnitOfWork):
    """Stages every write; :meth:`commit` applies them together, so a failed work leaves no trace."""

    def __init__(self, state: MemoryState, clock: Clock) -> None:
        self._state = state
        self._clock = clock
        self._wallets = _Wallets(state)
        self._users = _Users(state)
        self._dead_letters = _DeadLetters(state)
        self.events: list[Event] = []

    @property
    def wallets(self) -> _Wallets:
        """Wallets, ledger entries and holds."""
        return self._wallets

    @property
    def users(self) -> _Users:
        """Registered users."""
        return self._users

    @property
    def dead_letters(self) -> _DeadLetters:
        """Dead letters."""
        return self._dead_letters

    def record(self, event: Event) -> None:
        """Stage an event for the outbox."""
        self.events.append(event)

    def commit(self) -> None:
        """Apply every staged write and event. Runs without awaiting, so it is atomic on the event loop."""
        self._wallets.apply()
        self._users.apply()
        self._dead_letters.apply()
        now = self._clock.now()
        for event in self.events:
            self._state.last_position += 1
            self._state.outbox[event.event_id] = OutboxRecord(
                event_id=event.event_id,
                event_type=event.event_type,
                payload=event.to_json(),
                user_id=event.user_id,
                position=self._state.last_position,
                created_at=now,
            )


class InMemoryTransactions(Transactions[InMemoryUnitOfWork]):
    """Runs units of work one at a time; each commits atomically or not at all."""

    def __init__(self, state: MemoryState, clock: Clock) -> None:
        self._state = state
        self._clock = clock
        self._lock = asyncio.Lock()
        self._listeners: list[Callable[[], None]] = []

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that recorded events."""
        self._listeners.append(listener)

    async def run(self, work: Callable[[InMemoryUnitOfWork], Awaitable[T]]) -> T:
        """Run ``work`` alone, then commit its staged writes and events (see ``Transactions``)."""
        if _inside.get():
            msg = "units of work do not nest"
            raise RuntimeError(msg)
        async with self._lock:
            token = _inside.set(True)
            try:
                uow = InMemoryUnitOfWork(self._state, self._clock)
                result = await work(uow)
                uow.commit()
            finally:
                _inside.reset(token)
        if uow.events:
            for listener in self._listeners:
                listener()
        return result
