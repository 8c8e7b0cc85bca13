"""Broadcasts as admins and fans see them: create, cancel, follow the progress; opt out of categories."""

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import ValidationError

from yabot_core.audit import Actor, AuditLog
from yabot_core.broadcasts.errors import (
    BroadcastFinishedError,
    BroadcastNotFoundError,
    InvalidBroadcastError,
    UnknownCategoryError,
)
from yabot_core.broadcasts.events import BroadcastCreated
from yabot_core.broadcasts.models import (
    CATEGORIES,
    MAX_TEXT,
    Audience,
    AudienceKind,
    Broadcast,
    BroadcastProgress,
    BroadcastState,
    NotificationPreferences,
    RecipientState,
)
from yabot_core.broadcasts.ports import BroadcastQueries, BroadcastsUnitOfWork
from yabot_core.kernel import (
    Clock,
    EventStamper,
    IdempotencyKeyReusedError,
    IdGenerator,
    InvalidInputError,
    Transactions,
    UserId,
    checked_caller_key,
    checked_user_id,
)


def audience_of(kind: str, *, user_ids: Sequence[int] = (), days: int = 3) -> Audience:
    """Build an audience from plain values, with a Spanish error when it makes no sense.

    Raises:
        InvalidBroadcastError: an unknown kind, a list without fans (or fans without a list), bad days.
    """
    kinds = [str(known) for known in AudienceKind]
    if kind not in kinds:
        raise InvalidBroadcastError(
            f"No existe la audiencia «{kind}». Las audiencias son: {', '.join(kinds)}.",
            detail={"audience": kind},
        )
    try:
        return Audience(kind=AudienceKind(kind), user_ids=tuple(sorted(set(user_ids))), days=days)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
        raise InvalidBroadcastError(f"La audiencia no es válida: {problems}.") from exc


class Broadcasts:
    """Creates broadcasts (a runner sends them), cancels them, reports their progress; keeps opt-outs."""

    def __init__(
        self,
        transactions: Transactions[BroadcastsUnitOfWork],
        queries: BroadcastQueries,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._transactions = transactions
        self._queries = queries
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._stamper = EventStamper(clock, ids)

    async def create(
        self,
        text: str,
        audience: Audience,
        *,
        category: str,
        at: datetime | None = None,
        protect: bool = False,
        actor: Actor,
        idempotency_key: str | None = None,
    ) -> Broadcast:
        """Create a broadcast of plain ``text`` to ``audience`` from ``at`` (now, if not given).

        Fans who opted out of ``category`` are skipped. A VIP audience's message is always protected.
        With an ``idempotency_key`` (an admin's confirm tap), the key names the broadcast: creating again
        with it returns the first one and creates nothing.

        Raises:
            InvalidBroadcastError: an empty or too long text, or a time without a time zone.
            UnknownCategoryError: a category fans cannot opt out of.
            IdempotencyKeyReusedError: the key created another text or audience.
            InvalidInputError: a malformed key.
        """
        stripped = text.strip()
        if not stripped or len(stripped) > MAX_TEXT:
            raise InvalidBroadcastError(f"El mensaje debe tener entre 1 y {MAX_TEXT} caracteres.")
        _check_category(category)
        now = self._clock.now()
        if at is not None and at.tzinfo is None:
            raise InvalidBroadcastError("La hora de la difusión debe llevar zona horaria.")
        keyed = idempotency_key is not None
        broadcast = Broadcast(
            broadcast_id=_keyed_id(idempotency_key) if idempotency_key is not None else self._ids.new_id(),
            text=stripped,
            audience=audience,
            category=category,
            protect=protect or audience.kind is AudienceKind.VIP,
            start_at=max(at or now, now),
            created_by=actor.label,
            created_at=now,
        )

        async def work(uow: BroadcastsUnitOfWork) -> Broadcast:
            first = await uow.broadcasts.get(broadcast.broadcast_id) if keyed else None
            if first is not None:
                if (first.text, first.audience) != (broadcast.text, audience):
                    raise IdempotencyKeyReusedError(detail={"broadcast_id": first.broadcast_id})
                return first
            await uow.broadcasts.save(broadcast)
            uow.record(
                BroadcastCreated(
                    **self._stamper.stamp(),
                    broadcast_id=broadcast.broadcast_id,
                    audience=str(audience.kind),
                    category=category,
                    start_at=broadcast.start_at,
                )
            )
            detail: dict[str, str | int | bool] = {
                "audiencia": str(audience.kind),
                "categoria": category,
                "protegida": broadcast.protect,
                "inicio": broadcast.start_at.isoformat(),
            }
            await self._audit.record_in(
                uow, actor, "broadcasts.create", f"broadcast:{broadcast.broadcast_id}", detail=dict(detail)
            )
            return broadcast

        return await self._transactions.run(work)

    async def cancel(self, broadcast_id: str, *, actor: Actor) -> Broadcast:
        """Stop a broadcast: nobody still pending receives it (a message already on its way may arrive).

        Raises:
            BroadcastNotFoundError: no broadcast has that id.
            BroadcastFinishedError: it finished or was cancelled already.
        """
        now = self._clock.now()

        async def work(uow: BroadcastsUnitOfWork) -> Broadcast:
            broadcast = await uow.broadcasts.get(broadcast_id)
            if broadcast is None:
                raise BroadcastNotFoundError(broadcast_id)
            if not broadcast.state.active:
                raise BroadcastFinishedError(broadcast_id, str(broadcast.state))
            cancelled = broadcast.changed(state=BroadcastState.CANCELLED, finished_at=now)
            await uow.broadcasts.save(cancelled)
            await self._audit.record_in(uow, actor, "broadcasts.cancel", f"broadcast:{broadcast_id}")
            return cancelled

        return await self._transactions.run(work)

    async def get(self, broadcast_id: str) -> Broadcast:
        """The broadcast with that id.

        Raises:
            BroadcastNotFoundError: none has it.
        """
        broadcast = await self._queries.get(broadcast_id)
        if broadcast is None:
            raise BroadcastNotFoundError(broadcast_id)
        return broadcast

    async def listing(self, *, limit: int = 50) -> Sequence[Broadcast]:
        """Broadcasts, latest first."""
        if not 1 <= limit <= 1000:  # noqa: PLR2004  (a listing, not an export)
            raise InvalidInputError("El límite debe estar entre 1 y 1000.")
        return await self._queries.listing(limit=limit)

    async def progress(self, broadcast_id: str) -> BroadcastProgress:
        """How far the broadcast got (committed counts): for a progress bar and the final report.

        Raises:
            BroadcastNotFoundError: no broadcast has that id.
        """
        broadcast = await self.get(broadcast_id)
        return progress_of(broadcast, await self._queries.counts(broadcast_id))

    # --- fans' preferences ------------------------------------------------------------------------------

    async def preferences(self, user_id: UserId) -> NotificationPreferences:
        """The fan's choices (nothing opted out, if they never chose)."""
        return await self._queries.preferences(checked_user_id(user_id))

    async def set_category(self, user_id: UserId, category: str, *, wanted: bool) -> NotificationPreferences:
        """Opt the fan into (``wanted``) or out of ``category``.

        Raises:
            UnknownCategoryError: a category that does not exist.
        """
        user = checked_user_id(user_id)
        _check_category(category)

        async def work(uow: BroadcastsUnitOfWork) -> NotificationPreferences:
            current = await uow.broadcasts.preferences(user)
            out = current.opted_out - {category} if wanted else current.opted_out | {category}
            if out == current.opted_out and current.version:
                return current
            updated = current.model_copy(update={"opted_out": out, "version": current.version + 1})
            await uow.broadcasts.save_preferences(updated)
            return updated

        return await self._transactions.run(work)


def progress_of(broadcast: Broadcast, counts: Mapping[RecipientState, int]) -> BroadcastProgress:
    """A broadcast's progress from its recipients' counts by state."""
    values = {state: int(counts.get(state, 0)) for state in RecipientState}
    return BroadcastProgress(
        broadcast_id=broadcast.broadcast_id,
        state=broadcast.state,
        prepared=broadcast.prepared,
        total=sum(values.values()),
        pending=values[RecipientState.PENDING],
        sending=values[RecipientState.CLAIMED],
        sent=values[RecipientState.SENT],
        blocked=values[RecipientState.BLOCKED],
        skipped=values[RecipientState.SKIPPED],
        failed=values[RecipientState.FAILED],
        uncertain=values[RecipientState.UNCERTAIN],
    )


def _keyed_id(key: str) -> str:
    """The id of the broadcast an idempotency key creates (the same key, the same broadcast)."""
    return "k" + hashlib.sha256(checked_caller_key(key).encode()).hexdigest()[:32]


def _check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise UnknownCategoryError(category, sorted(CATEGORIES))
