"""The subscriptions module's errors, each with a stable code and a Spanish message."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from yabot_core.kernel import DomainError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from yabot_core.subscriptions.plans import PlanProblem


class InvalidPlanCatalogError(InvalidInputError):
    """The plans broke their own rules (a repeated id); ``problems`` holds every one."""

    code = "catalogo_de_planes_invalido"

    def __init__(self, problems: Sequence["PlanProblem"]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"El catálogo de planes no es coherente:\n{lines}",
            detail={"problems": [str(problem) for problem in self.problems]},
        )


class UnknownPlanError(NotFoundError):
    """No plan has that id. ``hint`` may suggest the id that was probably meant."""

    code = "plan_desconocido"

    def __init__(self, plan_id: str, hint: str = "") -> None:
        super().__init__(f"No existe ningún plan con el id «{plan_id}»{hint}.", detail={"plan_id": plan_id})


class InvalidDurationError(InvalidInputError):
    """A grant's length: not a whole number of days within the limits, or an end that is not ahead."""

    code = "duracion_invalida"
    default_message = "Indique los días de VIP o la fecha en que termina, una de las dos."


class NotVipError(DomainError):
    """The operation needs an active VIP subscription (extend, revoke, cancel) and the user has none."""

    code = "sin_vip"

    def __init__(self, user_id: int) -> None:
        super().__init__(f"El usuario {user_id} no tiene VIP activo.", detail={"user_id": user_id})


class VipAlreadyLongerError(DomainError):
    """A grant up to a date the user's VIP already reaches: it would add nothing."""

    code = "vip_ya_cubierto"

    def __init__(self, user_id: int, until: datetime) -> None:
        super().__init__(
            f"El VIP del usuario {user_id} ya dura hasta esa fecha o más (hasta {until:%d/%m/%Y %H:%M} UTC).",
            detail={"user_id": user_id, "vip_until": until.isoformat()},
        )


class RenewalAlreadyCancelledError(DomainError):
    """The subscription's renewal was already cancelled."""

    code = "renovacion_ya_cancelada"

    def __init__(self, user_id: int) -> None:
        super().__init__(
            f"La renovación del VIP del usuario {user_id} ya estaba cancelada.", detail={"user_id": user_id}
        )


class ChargeNotFoundError(NotFoundError):
    """No subscription was paid with that Telegram charge id."""

    code = "pago_no_encontrado"

    def __init__(self, charge_id: str) -> None:
        super().__init__(
            f"Ningún VIP se pagó con el cargo {charge_id}.", detail={"charge_id": charge_id[:200]}
        )


class ChannelRightsError(DomainError):
    """Telegram refused a door operation because the bot lacks a right in the VIP channel."""

    code = "sin_permisos_en_el_canal"

    def __init__(self, channel_id: int, what: str) -> None:
        super().__init__(
            f"El bot no tiene permiso para {what} en el canal VIP ({channel_id}): hágalo administrador con "
            "permiso para invitar y expulsar.",
            detail={"channel_id": channel_id},
        )
