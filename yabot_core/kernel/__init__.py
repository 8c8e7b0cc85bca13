"""The kernel: ids, time, errors, events, correlation, the bus and storage ports every module builds on."""

from yabot_core.kernel.bus import EventBus, RetryPolicy
from yabot_core.kernel.clock import Clock
from yabot_core.kernel.correlation import CorrelationScope, correlation_scope, current_scope
from yabot_core.kernel.errors import (
    ConcurrentUpdateError,
    ConflictError,
    DomainError,
    IdempotencyKeyReusedError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
    YabotError,
)
from yabot_core.kernel.events import (
    Event,
    EventProcessingFailed,
    EventStamp,
    EventStamper,
    event_class,
    parse_event,
)
from yabot_core.kernel.ids import CorrelationId, EventId, IdempotencyKey, IdGenerator, UserId
from yabot_core.kernel.limits import MAX_USER_ID
from yabot_core.kernel.outbox import (
    BusUnitOfWork,
    DeadLetter,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterQueries,
    DeadLetterReplayInProgressError,
    DeadLetterRepository,
    OutboxRecord,
    OutboxStore,
    ReplayFailedError,
    UnknownHandlerError,
    dead_letter_id,
)
from yabot_core.kernel.testing import FakeClock, SequentialIds
from yabot_core.kernel.uow import Transactions, UnitOfWork

__all__ = [
    "MAX_USER_ID",
    "BusUnitOfWork",
    "Clock",
    "ConcurrentUpdateError",
    "ConflictError",
    "CorrelationId",
    "CorrelationScope",
    "DeadLetter",
    "DeadLetterAlreadyReplayedError",
    "DeadLetterNotFoundError",
    "DeadLetterQueries",
    "DeadLetterReplayInProgressError",
    "DeadLetterRepository",
    "DomainError",
    "Event",
    "EventBus",
    "EventId",
    "EventProcessingFailed",
    "EventStamp",
    "EventStamper",
    "FakeClock",
    "IdGenerator",
    "IdempotencyKey",
    "IdempotencyKeyReusedError",
    "InvalidInputError",
    "NotFoundError",
    "OutboxRecord",
    "OutboxStore",
    "ReplayFailedError",
    "RetryPolicy",
    "SequentialIds",
    "Transactions",
    "UnavailableError",
    "UnitOfWork",
    "UnknownHandlerError",
    "UserId",
    "YabotError",
    "correlation_scope",
    "current_scope",
    "dead_letter_id",
    "event_class",
    "parse_event",
]
