"""The audit log over HTTP: the admins' actions, newest first, narrowed by time and by actor.

Its response schema lives here too: it belongs to the audit module, which owns this file.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Self

from litestar import Controller, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

from yabot_adapters.http.auth import ADMIN_ONLY, protected
from yabot_adapters.http.errors import API_ERROR_RESPONSES
from yabot_core.audit import MAX_OFFSET, MAX_PAGE_SIZE, Actor, ActorKind, AuditEntry, AuditLog, user_target
from yabot_core.kernel import MAX_USER_ID, InvalidInputError, UserId

ACTOR_KINDS: Final = ", ".join(f"`{kind.value}`" for kind in ActorKind)


@dataclass(frozen=True, slots=True)
class AuditEntryBody:
    """One audited action, as the API publishes it.

    Who (``actor``, ``kind:name``), what (``action`` on ``target``, ``detail``), when, and the
    ``correlation_id`` of the request or update that did it (its events carry it too).
    """

    entry_id: str
    actor: str
    actor_kind: str
    action: str
    target: str
    detail: dict[str, Any]
    result: str
    """``ok``, or how a refused attempt ended (``rechazado``, an error's code)."""
    correlation_id: str
    created_at: datetime

    @classmethod
    def of(cls, entry: AuditEntry) -> Self:
        """Project an entry onto what the API publishes."""
        return cls(
            entry_id=entry.entry_id,
            actor=str(entry.actor),
            actor_kind=entry.actor.kind.value,
            action=entry.action,
            target=entry.target,
            detail=dict(entry.detail),
            result=entry.result,
            correlation_id=entry.correlation_id,
            created_at=entry.created_at,
        )


AUDIT_PAGE: Final = ResponseSpec(
    OffsetPagination[AuditEntryBody],
    description="Una página del registro de auditoría, lo más reciente primero.",
    generate_examples=False,
    examples=[
        Example(
            summary="Una concesión de VIP desde /admin",
            value={
                "items": [
                    {
                        "entry_id": "0193b2c4e5f6",
                        "actor": "admin:1001",
                        "actor_kind": "admin",
                        "action": "subscriptions.grant",
                        "target": "user:42",
                        "detail": {"kind": "grant", "days": 30, "vip_until": "2026-12-24T20:00:00Z"},
                        "result": "ok",
                        "correlation_id": "7f3a9c",
                        "created_at": "2026-11-24T20:00:00Z",
                    }
                ],
                "limit": 20,
                "offset": 0,
                "total": 1,
            },
        )
    ],
)


def parse_actor(text: str) -> Actor:
    """``kind:name`` as the query writes it.

    Raises:
        InvalidInputError: not ``kind:name`` with a known kind.
    """
    kind, _, name = text.partition(":")
    try:
        return Actor(kind=ActorKind(kind), name=name)
    except ValueError as exc:  # an unknown kind, or a name empty or too long
        raise InvalidInputError(
            f"El actor se escribe tipo:nombre, con tipo {', '.join(kind.value for kind in ActorKind)}.",
            detail={"actor": text[:80]},
        ) from exc


def audit_controllers(log: AuditLog) -> list[type[Controller]]:
    """The admins' controller over ``log`` (bound here once)."""

    class AuditController(Controller):
        """What the admins did."""

        path = "/admin/audit"
        tags = ["auditoría"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ADMIN_ONLY)
        @get(
            "/",
            summary="Consultar el registro de auditoría",
            description=(
                "Las acciones de los administradores (consola, Telegram, API) y los intentos rechazados de "
                "entrar en /admin, lo más reciente primero: quién (`actor`, `tipo:nombre`), qué (`action` "
                "sobre `target`, con `detail`), con qué resultado (`result`: `ok`, `rechazado` o el código "
                "del error), cuándo y con qué `correlation_id`. `since` (ISO 8601 con zona) deja las de "
                f"entonces en adelante; `actor`, las de uno ({ACTOR_KINDS}); `user_id`, las que afectan a "
                "ese usuario. Pide el alcance `admin`."
            ),
            responses={200: AUDIT_PAGE, **API_ERROR_RESPONSES},
        )
        async def entries(
            self,
            since: Annotated[
                datetime | None,
                QueryParameter(description="Solo desde este momento (ISO 8601 con zona horaria)."),
            ] = None,
            user_id: Annotated[
                int | None,
                QueryParameter(gt=0, le=MAX_USER_ID, description="Solo las que afectan a este usuario."),
            ] = None,
            actor: Annotated[
                str | None,
                QueryParameter(
                    min_length=3, max_length=80, description="Solo las de este actor: `tipo:nombre`."
                ),
            ] = None,
            limit: Annotated[
                int,
                QueryParameter(
                    ge=1, le=MAX_PAGE_SIZE, description=f"Acciones por página (1 a {MAX_PAGE_SIZE})."
                ),
            ] = 20,
            offset: Annotated[
                int,
                QueryParameter(ge=0, le=MAX_OFFSET, description="Acciones que se saltan desde la primera."),
            ] = 0,
        ) -> OffsetPagination[AuditEntryBody]:
            """A page of ``log.page``."""
            who = None if actor is None else parse_actor(actor)
            target = None if user_id is None else user_target(UserId(user_id))
            page = await log.page(limit=limit, offset=offset, target=target, since=since, actor=who)
            items = [AuditEntryBody.of(entry) for entry in page.entries]
            return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=page.total)

    return [AuditController]
