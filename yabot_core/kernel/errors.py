"""The error hierarchy: every failure a user can see has a stable code and a Spanish message.

Entry points map these classes once (HTTP status, Telegram reply); nothing else inspects messages.
``transient`` marks the kind that is safe to retry: the operation changed nothing and may succeed later.
"""

from collections.abc import Mapping
from typing import ClassVar


class YabotError(Exception):
    """Base of every error YABOT raises on purpose."""

    code: ClassVar[str] = "error_interno"
    default_message: ClassVar[str] = "Ha ocurrido un error inesperado."
    transient: ClassVar[bool] = False

    def __init__(self, message: str | None = None, *, detail: Mapping[str, object] | None = None) -> None:
        self.message = message or self.default_message
        self.detail: dict[str, object] = dict(detail or {})
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, detail={self.detail!r})"


class DomainError(YabotError):
    """A business rule refused the operation; nothing changed."""

    code = "operacion_rechazada"
    default_message = "La operación no está permitida."


class InvalidInputError(DomainError):
    """The input is malformed or out of range; nothing changed."""

    code = "entrada_invalida"
    default_message = "Los datos enviados no son válidos."


class NotFoundError(YabotError):
    """The thing asked for does not exist."""

    code = "no_encontrado"
    default_message = "No se ha encontrado lo que se buscaba."


class ConflictError(YabotError):
    """The operation clashes with the current state (a reused key, an already settled hold)."""

    code = "conflicto"
    default_message = "La operación entra en conflicto con el estado actual."


class IdempotencyKeyReusedError(ConflictError):
    """An idempotency key was sent again with a different operation.

    Replaying a key with the *same* operation is not an error: it returns the first result.
    """

    code = "clave_idempotencia_reutilizada"
    default_message = "Esa clave de idempotencia ya se usó para otra operación distinta."


class ConcurrentUpdateError(ConflictError):
    """Another transaction changed the same record first; retrying from scratch is safe."""

    code = "actualizacion_concurrente"
    default_message = "Otra operación modificó los mismos datos a la vez; vuelva a intentarlo."
    transient = True


class UnavailableError(YabotError):
    """A dependency (storage, Telegram) is unreachable or overloaded; nothing changed."""

    code = "servicio_no_disponible"
    default_message = "El servicio no está disponible en este momento; inténtelo de nuevo en unos segundos."
    transient = True


class NotAuthenticatedError(YabotError):
    """The caller did not prove who they are: no credentials, or ones that are malformed, stale or unknown."""

    code = "no_autenticado"
    default_message = "Debe identificarse para acceder a este recurso."


class ForbiddenError(YabotError):
    """The caller is known, but may not do this (another fan's data, a scope their key lacks)."""

    code = "acceso_denegado"
    default_message = "No tiene permiso para acceder a este recurso."
