"""Dead letters for admins: the ones waiting, and their replay, each replay written to the audit log."""

import logging
from collections.abc import Mapping, Sequence
from typing import Final, Protocol

from pydantic import JsonValue

from yabot_core.audit import MAX_TARGET_LENGTH, Actor, AuditLog
from yabot_core.kernel import DeadLetter, DeadLetterQueries, YabotError

log = logging.getLogger(__name__)

REPLAY_ACTION: Final = "events.replay"
"""The audit action of a dead letter's replay (its ``detail["result"]`` says how it ended)."""

COUNT_CAP: Final = 1000
"""The most dead letters :meth:`DeadLetterDesk.count` counts one by one; beyond, it says "at least"."""


class Replayer(Protocol):
    """The event bus's replay (the routes know the handlers; the desk only asks)."""

    async def replay(self, dead_letter_id: str) -> DeadLetter:
        """Deliver a dead letter again to its handler, once (raises the bus's replay errors)."""
        ...


def dead_letter_target(dead_letter_id: str) -> str:
    """The audit target naming a dead letter: ``dead_letter:<id>`` (cut to the target's length)."""
    return f"dead_letter:{dead_letter_id}"[:MAX_TARGET_LENGTH]


class DeadLetterDesk:
    """What ``yabot events`` and the admin menu share: the waiting dead letters and an audited replay."""

    def __init__(self, queries: DeadLetterQueries, audit: AuditLog) -> None:
        self._queries = queries
        self._audit = audit

    async def waiting(self, *, limit: int = 10) -> Sequence[DeadLetter]:
        """The dead letters not replayed yet, as the storage lists them."""
        return await self._queries.list(include_replayed=False, limit=limit)

    async def count(self) -> tuple[int, bool]:
        """How many wait for a replay, and whether that is only a floor (``COUNT_CAP`` or more)."""
        waiting = len(await self._queries.list(include_replayed=False, limit=COUNT_CAP))
        return waiting, waiting >= COUNT_CAP

    async def replay(self, replayer: Replayer, dead_letter_id: str, *, actor: Actor) -> DeadLetter:
        """Replay one dead letter for ``actor``; the attempt and how it ended go to the audit log.

        The replay commits its own effects (the handler's); the entry follows it, whatever came of it.

        Raises:
            YabotError: whatever the replay raised (no such letter, already replayed, failed again...).
        """
        target = dead_letter_target(dead_letter_id)
        try:
            letter = await replayer.replay(dead_letter_id)
        except YabotError as exc:
            await self._note(actor, target, {"result": exc.code, "error": exc.message[:200]})
            raise
        await self._note(
            actor, target, {"result": "ok", "event_type": letter.event_type, "handler": letter.handler}
        )
        return letter

    async def _note(self, actor: Actor, target: str, detail: Mapping[str, JsonValue]) -> None:
        """Write the replay's entry; if the storage refuses it, say so in the log and let the outcome stand.

        The replay has happened (or been refused) by now: an entry that could not be written must not turn
        a delivered event into an error, nor hide the reason a replay was refused.
        """
        try:
            await self._audit.record(actor, REPLAY_ACTION, target, detail=detail)
        except YabotError as exc:
            log.warning("could not write the audit entry of a replay of %s (%s): %s", target, detail, exc)
