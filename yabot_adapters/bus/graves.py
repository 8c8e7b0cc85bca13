"""Dead-lettering: the event a handler gave up on, kept for replay and announced, atomically and once."""

import contextlib
import logging

from yabot_adapters.bus.handlers import Outcome
from yabot_core.kernel import (
    BusUnitOfWork,
    Clock,
    DeadLetter,
    Event,
    EventProcessingFailed,
    EventStamper,
    OutboxRecord,
    Transactions,
    correlation_scope,
    dead_letter_id,
)

log = logging.getLogger(__name__)


class Graves:
    """Writes dead letters and their ``EventProcessingFailed`` in one unit of work.

    The dead letter's id derives from the event and the handler, so a relay that dies after burying and is
    replaced buries nothing twice. A failed ``EventProcessingFailed`` handler is buried without a new
    announcement, so announcements never loop.
    """

    def __init__(
        self, transactions: Transactions[BusUnitOfWork], clock: Clock, stamper: EventStamper
    ) -> None:
        self._transactions = transactions
        self._clock = clock
        self._stamper = stamper

    async def bury(self, record: OutboxRecord, event: Event | None, handler: str, outcome: Outcome) -> None:
        """Store the dead letter and publish ``EventProcessingFailed``, atomically and only once."""
        letter = DeadLetter(
            dead_letter_id=dead_letter_id(record.event_id, handler),
            event_id=record.event_id,
            event_type=record.event_type,
            payload=record.payload,
            user_id=record.user_id,
            handler=handler,
            error=outcome.error,
            attempts=outcome.attempts,
            failed_at=self._clock.now(),
        )
        announce = not isinstance(event, EventProcessingFailed)  # never announce a failed announcement

        async def bury(uow: BusUnitOfWork) -> None:
            known = await uow.dead_letters.get(letter.dead_letter_id)
            if known is not None and known.replayed_at is None:
                return
            await uow.dead_letters.save(letter)
            if announce:
                scope = (
                    correlation_scope(event.correlation_id, event.event_id)
                    if event is not None
                    else contextlib.nullcontext()
                )
                with scope:
                    uow.record(
                        EventProcessingFailed(
                            **self._stamper.stamp(),
                            user_id=record.user_id,
                            dead_letter_id=letter.dead_letter_id,
                            failed_event_id=record.event_id,
                            failed_event_type=record.event_type,
                            handler=handler,
                            attempts=outcome.attempts,
                            error=outcome.error,
                        )
                    )

        await self._transactions.run(bury)
        log.error(
            "event %s (%s) is a dead letter for %s: %s",
            record.event_id,
            record.event_type,
            handler,
            outcome.error,
        )
