"""Broadcasts (notifications) over HTTP, for admins: list them with their counts, create, cancel."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from yabot_adapters.http.auth import ADMIN_ONLY, protected
from yabot_adapters.http.auth.principals import KeyHolder
from yabot_adapters.http.errors import API_ERROR_RESPONSES
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.audit import Actor
from yabot_core.broadcasts import Broadcast, BroadcastProgress, Broadcasts, audience_of
from yabot_core.kernel import ForbiddenError

NOT_FOUND = error_response(
    "Ninguna difusión tiene ese id.",
    ErrorBody("difusion_no_encontrada", "No hay ninguna difusión con el id «b-1».", {"broadcast_id": "b-1"}),
)
FINISHED = error_response(
    "La difusión ya terminó o se canceló.",
    ErrorBody(
        "difusion_terminada",
        "La difusión «b-1» ya está terminada.",
        {"broadcast_id": "b-1", "state": "terminada"},
    ),
)
BroadcastIdInPath = Annotated[
    str, PathParameter(min_length=1, max_length=64, description="Id de la difusión.")
]


@dataclass(frozen=True, slots=True)
class NotificationRequest:
    """A broadcast: plain text, the audience, its category, when, protection."""

    text: str
    audience: Literal["todos", "vip", "gratuitos", "por_vencer", "lista"]
    category: str = "novedades"
    user_ids: tuple[int, ...] = ()
    days: int = 3
    at: datetime | None = None
    protect: bool = False


@dataclass(frozen=True, slots=True)
class NotificationBody:
    """A broadcast and how far it got (``progress`` from 0 to 1)."""

    broadcast_id: str
    text: str
    audience: str
    category: str
    protect: bool
    start_at: datetime
    state: str
    total: int
    pending: int
    sent: int
    blocked: int
    skipped: int
    failed: int
    uncertain: int
    progress: float
    created_by: str
    finished_at: datetime | None

    @classmethod
    def of(cls, item: Broadcast, counts: BroadcastProgress) -> Self:
        """Project a broadcast and its counts."""
        return cls(
            broadcast_id=item.broadcast_id,
            text=item.text,
            audience=str(item.audience.kind),
            category=item.category,
            protect=item.protect,
            start_at=item.start_at,
            state=str(item.state),
            total=counts.total,
            pending=counts.pending + counts.sending,
            sent=counts.sent,
            blocked=counts.blocked,
            skipped=counts.skipped,
            failed=counts.failed,
            uncertain=counts.uncertain,
            progress=round(counts.fraction, 4),
            created_by=item.created_by,
            finished_at=item.finished_at,
        )


def _actor(request: Request[Any, Any, Any]) -> Actor:
    principal = request.user
    if not isinstance(principal, KeyHolder):  # pragma: no cover  (the guard lets keys only)
        raise ForbiddenError
    return Actor.api_key(principal.key.name)


def broadcasts_controller(broadcasts: Broadcasts) -> type[Controller]:
    """The admins' notifications controller over ``broadcasts``."""

    async def body(item: Broadcast) -> NotificationBody:
        return NotificationBody.of(item, await broadcasts.progress(item.broadcast_id))

    class NotificationsController(Controller):
        """Broadcasts to audiences, sent by the serving process within Telegram's limits."""

        path = "/admin/notifications"
        tags = ["difusiones"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ADMIN_ONLY)
        @get(
            "/",
            summary="Listar las difusiones",
            description="Las más recientes primero, con sus cuentas.",
            responses=API_ERROR_RESPONSES,
        )
        async def list_broadcasts(
            self, limit: Annotated[int, QueryParameter(ge=1, le=100, description="Cuántas (1 a 100).")] = 20
        ) -> list[NotificationBody]:
            """A listing with each one's counts."""
            return [await body(item) for item in await broadcasts.listing(limit=limit)]

        @protected(ADMIN_ONLY)
        @post(
            "/",
            summary="Crear una difusión",
            description=(
                "Un texto (sin formato) a una audiencia: `todos`, `vip`, `gratuitos`, `por_vencer` (VIP que "
                "terminan dentro de `days` días) o `lista` (`user_ids`). Quien se dio de baja de la "
                "`category` no la recibe; quien bloqueó el bot se cuenta y no se reintenta. A los VIP va "
                "siempre protegida. La envía el proceso que atiende el bot, a unos 29 mensajes por segundo; "
                "consulte su progreso con GET. Queda en el registro de auditoría."
            ),
            responses=API_ERROR_RESPONSES,
        )
        async def create(
            self, request: Request[Any, Any, Any], data: JSONBody[NotificationRequest]
        ) -> NotificationBody:
            """Validate in the core (Spanish errors), create, answer it with its (empty) counts."""
            audience = audience_of(data.audience, user_ids=data.user_ids, days=data.days)
            created = await broadcasts.create(
                data.text,
                audience,
                category=data.category,
                at=data.at,
                protect=data.protect,
                actor=_actor(request),
            )
            return await body(created)

        @protected(ADMIN_ONLY)
        @get(
            "/{broadcast_id:str}",
            summary="Consultar una difusión y su progreso",
            responses={**API_ERROR_RESPONSES, 404: NOT_FOUND},
        )
        async def one(self, broadcast_id: BroadcastIdInPath) -> NotificationBody:
            """One broadcast and its counts (404 ``difusion_no_encontrada``)."""
            return await body(await broadcasts.get(broadcast_id))

        @protected(ADMIN_ONLY)
        @delete(
            "/{broadcast_id:str}",
            status_code=200,
            summary="Cancelar una difusión",
            description="Nadie más la recibe (409 `difusion_terminada` si ya terminó).",
            responses={**API_ERROR_RESPONSES, 404: NOT_FOUND, 409: FINISHED},
        )
        async def cancel(
            self, request: Request[Any, Any, Any], broadcast_id: BroadcastIdInPath
        ) -> NotificationBody:
            """Cancel it, audited under the key's name."""
            return await body(await broadcasts.cancel(broadcast_id, actor=_actor(request)))

    return NotificationsController
