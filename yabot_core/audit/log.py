"""The audit log: every administrative action, recorded in the same unit of work as the action itself."""

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from pydantic import JsonValue, ValidationError

from yabot_core.audit.models import ACTION, MAX_TARGET_LENGTH, Actor, AuditEntry, AuditPage
from yabot_core.audit.ports import AuditQueries, AuditUnitOfWork
from yabot_core.kernel import (
    Clock,
    CorrelationId,
    IdGenerator,
    InvalidInputError,
    Transactions,
    current_scope,
)

MAX_PAGE_SIZE: Final = 100
MAX_OFFSET: Final = 2**53 - 1
"""The deepest a page may start: exact in JSON and inside every backend's 64-bit integers."""


class AuditLog:
    """Records who did what to whom; the modules that act for admins call :meth:`record_in`.

    Recording inside the action's own unit of work means the log never claims an action that did not
    happen, and an action never happens unrecorded.
    """

    def __init__(
        self,
        queries: AuditQueries,
        clock: Clock,
        ids: IdGenerator,
        *,
        transactions: Transactions[AuditUnitOfWork] | None = None,
    ) -> None:
        self._queries = queries
        self._clock = clock
        self._ids = ids
        self._transactions = transactions

    async def record(
        self,
        actor: Actor,
        action: str,
        target: str,
        *,
        detail: Mapping[str, JsonValue] | None = None,
        correlation_id: CorrelationId | None = None,
    ) -> AuditEntry:
        """Append an entry in a unit of work of its own: for actions that commit nothing else here.

        A refused attempt, or a replay whose effects are its handler's own commits, has no unit of work
        to join; its entry says what was tried and how it ended (``detail["result"]``).

        Raises:
            InvalidInputError: a malformed action code or target.
            RuntimeError: the log was built without ``transactions`` (a wiring bug).
        """
        if self._transactions is None:
            msg = "this AuditLog was built without transactions: it can only record inside another's work"
            raise RuntimeError(msg)

        async def work(uow: AuditUnitOfWork) -> AuditEntry:
            return await self.record_in(
                uow, actor, action, target, detail=detail, correlation_id=correlation_id
            )

        return await self._transactions.run(work)

    async def record_in(
        self,
        uow: AuditUnitOfWork,
        actor: Actor,
        action: str,
        target: str,
        *,
        detail: Mapping[str, JsonValue] | None = None,
        correlation_id: CorrelationId | None = None,
    ) -> AuditEntry:
        """Append an entry to the log inside ``uow``; it commits with the caller's work, or not at all.

        ``correlation_id`` defaults to the current scope's (or a new one outside any scope): pass the one
        the action's events carry, so the entry and the events can be matched.

        Raises:
            InvalidInputError: a malformed action code or target (a caller's bug: refused loudly).
        """
        if not isinstance(action, str) or not ACTION.fullmatch(action):
            raise InvalidInputError("La acción auditada no es válida.", detail={"action": repr(action)[:80]})
        if not isinstance(target, str) or not 0 < len(target) <= MAX_TARGET_LENGTH:
            raise InvalidInputError(
                f"El objetivo de la acción auditada debe tener entre 1 y {MAX_TARGET_LENGTH} caracteres."
            )
        if correlation_id is None:
            scope = current_scope()
            correlation_id = scope.correlation_id if scope else CorrelationId(self._ids.new_id())
        try:
            entry = AuditEntry(
                entry_id=self._ids.new_id(),
                actor=actor,
                action=action,
                target=target,
                detail=dict(detail or {}),
                correlation_id=correlation_id,
                created_at=self._clock.now(),
            )
        except ValidationError as exc:
            raise InvalidInputError("La entrada de auditoría no es válida.") from exc
        await uow.audit.append(entry)
        return entry

    async def page(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        target: str | None = None,
        since: datetime | None = None,
        actor: Actor | None = None,
    ) -> AuditPage:
        """A page of the log, newest first: of one ``target`` (``user:42``), ``since`` a time, by ``actor``.

        Raises:
            InvalidInputError: ``limit`` outside 1..100, or ``offset`` outside 0..``MAX_OFFSET``.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"El tamaño de página debe estar entre 1 y {MAX_PAGE_SIZE}.")
        if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise InvalidInputError(f"El desplazamiento debe estar entre 0 y {MAX_OFFSET}.")
        if since is not None and since.tzinfo is None:
            raise InvalidInputError("La fecha desde la que buscar debe llevar zona horaria.")
        return await self._queries.page(limit=limit, offset=offset, target=target, since=since, actor=actor)
