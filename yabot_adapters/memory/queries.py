"""Read models and the outbox of the in-memory backend."""

from collections.abc import Sequence
from datetime import datetime
from itertools import islice

from yabot_adapters.memory.state import MemoryState
from yabot_core.gamification import HoldStatus, LedgerPage, WalletBalance, WalletQueries
from yabot_core.kernel import DeadLetter, DeadLetterQueries, EventId, OutboxRecord, OutboxStore, UserId
from yabot_core.users import User, UserQueries


class InMemoryWalletQueries(WalletQueries):
    """Balances and ledger pages from committed state."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def balance(self, user_id: UserId) -> WalletBalance:
        wallet = self._state.wallets.get(user_id)
        held = sum(
            hold.amount
            for hold in self._state.holds.values()
            if hold.user_id == user_id and hold.status is HoldStatus.HELD
        )
        return WalletBalance(user_id=user_id, balance=wallet.balance if wallet else 0, held=held)

    async def history(self, user_id: UserId, *, limit: int, offset: int) -> LedgerPage:
        entries = self._state.entries.get(user_id, [])
        newest_first = islice(reversed(entries), offset, offset + limit)
        return LedgerPage(entries=tuple(newest_first), total=len(entries), limit=limit, offset=offset)


class InMemoryUserQueries(UserQueries):
    """Users from committed state."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def get(self, user_id: UserId) -> User | None:
        return self._state.users.get(user_id)


class InMemoryDeadLetterQueries(DeadLetterQueries):
    """Dead letters from committed state."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def list(self, *, include_replayed: bool = False, limit: int = 100) -> Sequence[DeadLetter]:
        letters = [
            letter
            for letter in self._state.dead_letters.values()
            if include_replayed or letter.replayed_at is None
        ]
        letters.sort(key=lambda letter: letter.failed_at, reverse=True)
        return letters[:limit]

    async def get(self, dead_letter_id: str) -> DeadLetter | None:
        return self._state.dead_letters.get(dead_letter_id)


class InMemoryOutboxStore(OutboxStore):
    """The committed outbox; delivered records are dropped, as a real backend would archive them."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def pending(self, limit: int) -> Sequence[OutboxRecord]:
        return list(islice(self._state.outbox.values(), limit))

    async def mark_handled(self, event_id: EventId, handler: str) -> None:
        record = self._state.outbox.get(event_id)
        if record is not None:
            self._state.outbox[event_id] = record.model_copy(
                update={"handled_by": record.handled_by | {handler}}
            )

    async def mark_delivered(self, event_id: EventId) -> None:
        self._state.outbox.pop(event_id, None)

    async def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        holder = self._state.leases.get(name)
        if holder is not None and holder[0] != owner and holder[1] > now.timestamp():
            return False
        self._state.leases[name] = (owner, until.timestamp())
        return True

    async def release_lease(self, name: str, owner: str) -> None:
        holder = self._state.leases.get(name)
        if holder is not None and holder[0] == owner:
            del self._state.leases[name]
