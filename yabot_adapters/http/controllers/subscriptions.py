"""VIP over HTTP: a fan's subscription, the admins' list of VIPs (soonest end first), and grants in bulk.

Its request and response schemas live here too: they belong to the subscriptions module, which owns this
file.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal, Self

from litestar import Controller, Request, get, post
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.pagination import OffsetPagination
from litestar.params import HeaderParameter, JSONBody, QueryParameter

from yabot_adapters.http.auth import ADMIN_ONLY, USER_DATA, Access, protected
from yabot_adapters.http.auth.principals import KeyHolder
from yabot_adapters.http.errors import API_ERROR_RESPONSES, USER_NOT_FOUND
from yabot_adapters.http.parameters import UserIdInPath
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.audit import Actor
from yabot_core.kernel import ForbiddenError, UserId
from yabot_core.subscriptions import (
    MAX_DAYS,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    SUBSCRIPTIONS_WRITE,
    Subscription,
    SubscriptionService,
    VipChange,
)
from yabot_core.users import UserDirectory

GRANTS: Final = Access(scope=SUBSCRIPTIONS_WRITE)
MAX_KEY: Final = 100
"""The longest ``Idempotency-Key`` accepted (YABOT prefixes it with the key's id)."""


@dataclass(frozen=True, slots=True)
class SubscriptionBody:
    """A fan's VIP as it stands.

    ``status``: ``active`` (VIP now), ``lapsed`` (its time ran out, not yet closed: not VIP), ``ended``
    (closed), ``none`` (never VIP).
    """

    user_id: int
    vip: bool
    status: Literal["active", "lapsed", "ended", "none"]
    vip_until: datetime | None
    period_started_at: datetime | None
    renewal_cancelled: bool
    plan_id: str | None

    @classmethod
    def of(cls, user_id: UserId, subscription: Subscription | None, now: datetime) -> Self:
        """Project a subscription (or its absence) onto what the API publishes."""
        if subscription is None:
            return cls(
                user_id=user_id,
                vip=False,
                status="none",
                vip_until=None,
                period_started_at=None,
                renewal_cancelled=False,
                plan_id=None,
            )
        return cls(
            user_id=user_id,
            vip=subscription.is_vip(now),
            status=subscription.status(now).value,
            vip_until=subscription.vip_until,
            period_started_at=subscription.period_started_at,
            renewal_cancelled=subscription.cancelled_at is not None,
            plan_id=subscription.plan_id,
        )


@dataclass(frozen=True, slots=True)
class GrantItem:
    """One fan's grant: ``days`` of VIP, or VIP up to ``until`` (with its time zone), exactly one of them."""

    user_id: int
    days: int | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class GrantsRequest:
    """Up to 100 grants applied together: all of them, or none if any is refused."""

    grants: list[GrantItem]
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class GrantResult:
    """What one grant did: started (``grant``) or extended (``extend``) the VIP, now ending at ``vip_until``.

    ``replayed``: the same ``Idempotency-Key`` was applied before, and this is its first result.
    """

    user_id: int
    kind: Literal["grant", "extend"]
    vip_until: datetime
    entry_id: str
    replayed: bool

    @classmethod
    def of(cls, change: VipChange) -> Self:
        """Project one change onto the response."""
        kind: Literal["grant", "extend"] = "grant" if change.entry.kind.value == "grant" else "extend"
        return cls(
            user_id=change.entry.user_id,
            kind=kind,
            vip_until=change.entry.vip_until,
            entry_id=change.entry.entry_id,
            replayed=change.replayed,
        )


@dataclass(frozen=True, slots=True)
class GrantsBody:
    """The results, in the order the grants were sent."""

    results: list[GrantResult]


_SUBSCRIPTION_EXAMPLE: Final = {
    "user_id": 42,
    "vip": True,
    "status": "active",
    "vip_until": "2026-12-24T20:00:00Z",
    "period_started_at": "2026-11-24T20:00:00Z",
    "renewal_cancelled": False,
    "plan_id": "mensual",
}

SUBSCRIPTION: Final = ResponseSpec(
    SubscriptionBody,
    description="La suscripción VIP del usuario.",
    generate_examples=False,
    examples=[
        Example(summary="VIP", value=_SUBSCRIPTION_EXAMPLE),
        Example(
            summary="Nunca fue VIP",
            value={
                "user_id": 42,
                "vip": False,
                "status": "none",
                "vip_until": None,
                "period_started_at": None,
                "renewal_cancelled": False,
                "plan_id": None,
            },
        ),
    ],
)

SUBSCRIPTION_PAGE: Final = ResponseSpec(
    OffsetPagination[SubscriptionBody],
    description="Una página de VIP, los que terminan antes primero.",
    generate_examples=False,
    examples=[
        Example(
            summary="Un VIP",
            value={"items": [_SUBSCRIPTION_EXAMPLE], "limit": 20, "offset": 0, "total": 1},
        )
    ],
)

GRANTED: Final = ResponseSpec(
    GrantsBody,
    description="Las concesiones aplicadas (o, con la misma `Idempotency-Key`, las de la primera vez).",
    generate_examples=False,
    examples=[
        Example(
            summary="Un VIP nuevo",
            value={
                "results": [
                    {
                        "user_id": 42,
                        "kind": "grant",
                        "vip_until": "2026-12-24T20:00:00Z",
                        "entry_id": "0193b2c4e5f6",
                        "replayed": False,
                    }
                ]
            },
        )
    ],
)

GRANT_REFUSED: Final = error_response(
    "Una regla de negocio rechazó alguna concesión; no se aplicó ninguna.",
    ErrorBody(
        "vip_ya_cubierto",
        "El VIP del usuario 42 ya dura hasta esa fecha o más (hasta 24/12/2026 20:00 UTC).",
        {"user_id": 42, "vip_until": "2026-12-24T20:00:00+00:00"},
    ),
)
KEY_REUSED: Final = error_response(
    "La `Idempotency-Key` ya se usó para otras concesiones; no se aplicó ninguna.",
    ErrorBody(
        "clave_idempotencia_reutilizada",
        "Esa clave de idempotencia ya se usó para otra operación distinta.",
        {"idempotency_key": "lote-1:42"},
    ),
)


def subscriptions_controllers(service: SubscriptionService, users: UserDirectory) -> list[type[Controller]]:
    """The fan's and the admins' controllers over ``service`` (bound here once)."""

    class SubscriptionController(Controller):
        """A fan's VIP."""

        path = "/users"
        tags = ["vip"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        # ``{user_id:str}`` with an ``int`` argument, as the besitos route: see ``parameters.py``.
        @protected(USER_DATA)
        @get(
            "/{user_id:str}/subscription",
            summary="Consultar la suscripción VIP de un usuario",
            description=(
                "Dice si el usuario es VIP ahora y hasta cuándo. `status` es `active` (VIP), `lapsed` (su "
                "tiempo acabó y aún no se cerró: ya no es VIP), `ended` o `none` (nunca fue VIP)."
            ),
            responses={200: SUBSCRIPTION, **API_ERROR_RESPONSES, 404: USER_NOT_FOUND},
        )
        async def subscription(self, user_id: UserIdInPath) -> SubscriptionBody:
            """Answer only for registered users, so a typo in an id is a 404 rather than "never VIP"."""
            user = await users.get(UserId(user_id))
            current = await service.status(user.user_id)
            return SubscriptionBody.of(user.user_id, current, service.now())

    class AdminSubscriptionsController(Controller):
        """The admins' view of VIP, and grants in bulk."""

        path = "/admin/subscriptions"
        tags = ["vip"]  # noqa: RUF012  (Litestar reads layer options as plain class attributes)

        @protected(ADMIN_ONLY)
        @get(
            "/",
            summary="Listar los VIP",
            description=(
                "Los VIP de ahora, los que terminan antes primero; con `expiring_within_hours`, solo los que "
                "terminan dentro de ese plazo."
            ),
            responses={200: SUBSCRIPTION_PAGE, **API_ERROR_RESPONSES},
        )
        async def list_vips(
            self,
            expiring_within_hours: Annotated[
                int | None,
                QueryParameter(
                    ge=1, le=MAX_DAYS * 24, description="Solo los que terminan dentro de estas horas."
                ),
            ] = None,
            limit: Annotated[
                int,
                QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"VIP por página (1 a {MAX_PAGE_SIZE})."),
            ] = 20,
            offset: Annotated[
                int, QueryParameter(ge=0, le=MAX_OFFSET, description="VIP que se saltan desde el primero.")
            ] = 0,
        ) -> OffsetPagination[SubscriptionBody]:
            """A page of ``service.active``."""
            within = None if expiring_within_hours is None else timedelta(hours=expiring_within_hours)
            page = await service.active(within=within, limit=limit, offset=offset)
            now = service.now()
            items = [SubscriptionBody.of(sub.user_id, sub, now) for sub in page.subscriptions]
            return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=page.total)

        @protected(GRANTS)
        @post(
            "/grants",
            status_code=200,
            summary="Conceder VIP a varios usuarios",
            description=(
                "Concede días de VIP (`days`) o VIP hasta una fecha (`until`) a hasta 100 usuarios, todos o "
                "ninguno. Un usuario desconocido queda registrado. Repetir la misma `Idempotency-Key` "
                "devuelve el primer resultado sin conceder nada más. Queda en el registro de auditoría con "
                "el nombre de la clave. Pide el alcance `subscriptions:write`."
            ),
            responses={
                200: GRANTED,
                **API_ERROR_RESPONSES,
                409: KEY_REUSED,
                422: GRANT_REFUSED,
            },
        )
        async def grant(
            self,
            request: Request[Any, Any, Any],
            data: JSONBody[GrantsRequest],
            idempotency_key: Annotated[
                str,
                HeaderParameter(
                    name="Idempotency-Key",
                    min_length=1,
                    max_length=MAX_KEY,
                    description="Una clave única por lote: repetirla no concede nada dos veces.",
                ),
            ],
        ) -> GrantsBody:
            """Grant every fan of the batch in one unit of work, audited under the key's name."""
            principal = request.user
            if not isinstance(principal, KeyHolder):  # pragma: no cover  (the guard lets keys only)
                raise ForbiddenError
            changes = await service.grant_many(
                [(UserId(item.user_id), item.days, item.until) for item in data.grants],
                actor=Actor.api_key(principal.key.name),
                idempotency_key=f"api:{principal.key.key_id}:{idempotency_key}",
                reason=data.reason,
            )
            return GrantsBody([GrantResult.of(change) for change in changes])

    return [SubscriptionController, AdminSubscriptionsController]
