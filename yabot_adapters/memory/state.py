"""The in-memory backend's data: plain dicts, changed only by committing a unit of work."""

from dataclasses import dataclass, field

from yabot_core.gamification import Hold, LedgerEntry, Wallet
from yabot_core.kernel import DeadLetter, EventId, IdempotencyKey, OutboxRecord, UserId
from yabot_core.users import User


@dataclass
class MemoryState:
    """Everything the in-memory backend stores. Only :class:`InMemoryUnitOfWork` commits write to it."""

    users: dict[UserId, User] = field(default_factory=dict)
    wallets: dict[UserId, Wallet] = field(default_factory=dict)
    entries: dict[UserId, list[LedgerEntry]] = field(default_factory=dict)
    entries_by_key: dict[IdempotencyKey, LedgerEntry] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)
    outbox: dict[EventId, OutboxRecord] = field(default_factory=dict)
    last_position: int = 0
    dead_letters: dict[str, DeadLetter] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)
