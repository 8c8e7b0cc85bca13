"""What the contract suites share: users, ledger reasons the tests pay with, record builders, and a recorder.

Backends keep an event only when some handler is owed it; the suites route every event to ``RECORDER`` so
they can read back what a unit of work committed.
"""

from collections.abc import Mapping
from datetime import timedelta

from yabot_adapters.storage import StorageBackend
from yabot_core.apikeys import CORE_SCOPES, ApiKeys
from yabot_core.audit import Actor, AuditLog
from yabot_core.kernel import (
    CorrelationId,
    DeadLetter,
    Event,
    EventId,
    FakeClock,
    IdempotencyKey,
    OutboxRecord,
    SequentialIds,
    UserId,
    parse_event,
)
from yabot_core.users import User, UserSource
from yabot_core.wallet import ADMIN_GRANT, LedgerEntry, LedgerReason, Wallet

ALICE = UserId(1001)
BOB = UserId(1002)

PURCHASE = LedgerReason.define("purchase", "Compra en la tienda")
AUCTION_WIN = LedgerReason.define("auction_win", "Subasta ganada")

OPERATOR = Actor.operator("pruebas")
"""Who the tests say runs operator commands (the audit log records it)."""

RECORDER = "tests.recorder"


class BoomError(Exception):
    """Raised by a unit of work on purpose, to prove nothing of it is kept."""


def record_everything(storage: StorageBackend) -> None:
    """Owe every event committed from now on to ``RECORDER`` (and only to it)."""
    storage.route_events(lambda _event: (RECORDER,))


async def recorded(storage: StorageBackend, limit: int = 10_000) -> list[OutboxRecord]:
    """The records owed to ``RECORDER``, oldest first."""
    return list(await storage.outbox.pending(RECORDER, limit))


async def recorded_events(storage: StorageBackend, limit: int = 10_000) -> list[Event]:
    """The events committed since :func:`record_everything`, oldest first."""
    return [parse_event(record.payload) for record in await recorded(storage, limit)]


def make_entry(
    clock: FakeClock, wallet: Wallet, amount: int, key: str, entry_id: str | None = None
) -> LedgerEntry:
    return wallet.post(
        amount,
        entry_id=entry_id or f"e-{key}",
        reason=ADMIN_GRANT if amount > 0 else PURCHASE,
        idempotency_key=IdempotencyKey(key),
        correlation_id=CorrelationId("corr"),
        created_at=clock.now(),
    )


def make_user(clock: FakeClock, user_id: UserId = ALICE, name: str = "Alicia") -> User:
    return User(
        user_id=user_id,
        first_name=name,
        source=UserSource.TELEGRAM,
        registered_at=clock.now(),
        updated_at=clock.now(),
    )


def make_dead_letter(clock: FakeClock, letter_id: str, *, minutes: int = 0) -> DeadLetter:
    return DeadLetter(
        dead_letter_id=letter_id,
        event_id=EventId(f"ev-{letter_id}"),
        event_type="besitos.awarded",
        payload="{}",
        user_id=ALICE,
        handler="tests.handler",
        error="RuntimeError: boom",
        attempts=3,
        failed_at=clock.now() + timedelta(minutes=minutes),
    )


def api_keys_over(
    storage: StorageBackend, clock: FakeClock, ids: SequentialIds, scopes: Mapping[str, str] = CORE_SCOPES
) -> ApiKeys:
    """The API keys service over ``storage``, its audit log on the same storage."""
    audit = AuditLog(storage.audit_queries, clock, ids)
    return ApiKeys(storage.transactions, storage.api_key_queries, clock, ids, scopes=scopes, audit=audit)
