"""The kernel: ids, time, errors, events, correlation, the bus and storage ports every module builds on."""

from yabot_core.kernel.bus import EventBus, RetryPolicy
from yabot_core.kernel.checks import checked_key, checked_note, checked_user_id
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
from yabot_core.kernel.limits import MAX_KEY_LENGTH, MAX_NOTE_LENGTH, MAX_USER_ID, REASON_CODE
from yabot_core.kernel.module import ModuleManifest, in_dependency_order
from yabot_core.kernel.outbox import (
    BusUnitOfWork,
    DeadLetter,
    DeadLetterAlreadyReplayedError,
    DeadLetterNotFoundError,
    DeadLetterQueries,
    DeadLetterReplayInProgressError,
    DeadLetterRepository,
    EventRouter,
    HandlerUnavailableError,
    OutboxRecord,
    OutboxStore,
    ReplayFailedError,
    UnknownHandlerError,
    dead_letter_id,
)
from yabot_core.kernel.spanish import did_you_mean, spanish_number, unaccented
from yabot_core.kernel.testing import FakeClock, SequentialIds
from yabot_core.kernel.texts import Phrasebook
from yabot_core.kernel.timers import (
    MAX_TIMER_KEY,
    Timer,
    TimerFired,
    TimerRepository,
    TimerStore,
    TimersUnitOfWork,
    new_timer,
    timer_route,
)
from yabot_core.kernel.uow import Transactions, UnitOfWork

__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_TIMER_KEY",
    "MAX_USER_ID",
    "REASON_CODE",
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
    "EventRouter",
    "EventStamp",
    "EventStamper",
    "FakeClock",
    "HandlerUnavailableError",
    "IdGenerator",
    "IdempotencyKey",
    "IdempotencyKeyReusedError",
    "InvalidInputError",
    "ModuleManifest",
    "NotFoundError",
    "OutboxRecord",
    "OutboxStore",
    "Phrasebook",
    "ReplayFailedError",
    "RetryPolicy",
    "SequentialIds",
    "Timer",
    "TimerFired",
    "TimerRepository",
    "TimerStore",
    "TimersUnitOfWork",
    "Transactions",
    "UnavailableError",
    "UnitOfWork",
    "UnknownHandlerError",
    "UserId",
    "YabotError",
    "checked_key",
    "checked_note",
    "checked_user_id",
    "correlation_scope",
    "current_scope",
    "dead_letter_id",
    "did_you_mean",
    "event_class",
    "in_dependency_order",
    "new_timer",
    "parse_event",
    "spanish_number",
    "timer_route",
    "unaccented",
]
