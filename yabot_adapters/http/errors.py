"""The one mapping from YABOT's errors and Litestar's exceptions to JSON ``{code, message, detail}`` bodies.

Every error body is an :class:`ErrorBody`: a stable ``code`` to branch on, a Spanish ``message`` to show,
and a ``detail`` object. The status follows one rule for input: **400 when the caller must fix the request,
422 when the request was well formed but a business rule said no.** So:

- Litestar's ``ValidationException`` (a path, query or body value of the wrong type, outside the range the
  route declares, or missing) is 400 ``solicitud_invalida``, naming the offending parameters in ``detail``.
- The core's ``InvalidInputError`` and its subclasses (malformed or out-of-range values found past the edge)
  are 400 with the core's own code (``entrada_invalida``, ``monto_invalido``).
- ``NotAuthenticatedError`` is 401 with ``WWW-Authenticate`` (``credenciales_ausentes``, ``clave_revocada``,
  ``initdata_caducado``…); ``ForbiddenError`` 403 ``acceso_denegado``.
- Any other ``DomainError`` (``saldo_insuficiente``) is 422; ``NotFoundError`` 404; ``ConflictError`` 409;
  ``UnavailableError`` 503 with ``Retry-After``; all with the core's code, message and detail.
- Litestar's own client errors keep their status with a code of ours: unknown route 404
  ``ruta_no_encontrada``, 405 ``metodo_no_permitido``, 429 ``demasiadas_solicitudes`` with ``Retry-After``.
- Anything else is 500 ``error_interno`` with a generic message and the correlation id; the exception is
  logged with that id and never described in the body.

Nothing a caller sent is echoed at full length: a path or method shown in ``detail`` (or logged) is cut to
:data:`ECHO_LIMIT` characters, so a 100 KB path cannot make a 100 KB answer.
"""

import logging
import re
from collections.abc import Mapping
from typing import Any, Final

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from yabot_adapters.http.correlation import correlation_id_of
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.kernel import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
    UnavailableError,
    YabotError,
)

log = logging.getLogger(__name__)

CHALLENGE: Final = 'Bearer realm="YABOT", tma realm="YABOT"'
"""The ``WWW-Authenticate`` of every 401 (RFC 9110 asks for one): the schemes the API takes."""

UNAVAILABLE_RETRY_AFTER_SECONDS: Final = 5
"""What a 503 asks callers to wait: long enough for a breaker or a restart, short enough to feel live."""

ECHO_LIMIT: Final = 200
"""The most characters of a caller's path or method an error body or log line repeats."""

# Most specific first: InvalidInputError is a DomainError, and only the first match counts.
_STATUS_BY_CLASS: Final[tuple[tuple[type[YabotError], int], ...]] = (
    (InvalidInputError, 400),
    (NotAuthenticatedError, 401),
    (ForbiddenError, 403),
    (DomainError, 422),
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnavailableError, 503),
)

# Every message addresses the reader as "usted", like every other YABOT text.
_HTTP_ERRORS: Final[Mapping[int, tuple[str, str]]] = {
    400: ("solicitud_invalida", "La solicitud no es válida."),
    401: ("no_autenticado", "Debe identificarse para acceder a este recurso."),
    403: ("acceso_denegado", "No tiene permiso para acceder a este recurso."),
    404: ("ruta_no_encontrada", "No existe ninguna ruta con esa dirección."),
    405: ("metodo_no_permitido", "Esta ruta no admite ese método."),
    413: ("solicitud_demasiado_grande", "La solicitud es demasiado grande."),
    415: ("tipo_no_admitido", "El tipo de contenido enviado no está admitido."),
    429: (
        "demasiadas_solicitudes",
        "Ha hecho demasiadas solicitudes seguidas; espere un momento antes de volver a intentarlo.",
    ),
    503: ("servicio_no_disponible", UnavailableError.default_message),
}
_OTHER_CLIENT_ERROR: Final = ("solicitud_rechazada", "No se ha podido atender la solicitud.")
_UNEXPECTED_MESSAGE: Final = (
    "Ha ocurrido un error inesperado. Si se repite, comparta el código de seguimiento con el equipo."
)

_TYPE_NAMES: Final = {
    "int": "un número entero",
    "float": "un número",
    "str": "un texto",
    "bool": "verdadero o falso",
}
_BOUNDS: Final = {">=": "mayor o igual que", "<=": "menor o igual que", ">": "mayor que", "<": "menor que"}
_EXPECTED: Final = re.compile(r"Expected `(?P<type>\w+)`(?: (?P<op>[<>]=?) (?P<bound>\S+))?")


def status_for(exc: YabotError) -> int:
    """Return the HTTP status of one of YABOT's errors (500 for the unclassified base)."""
    return next((status for cls, status in _STATUS_BY_CLASS if isinstance(exc, cls)), 500)


def _error(
    status: int, code: str, message: str, detail: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response[ErrorBody]:
    return Response(
        ErrorBody(code=code, message=message, detail=dict(detail)),
        status_code=status,
        headers=dict(headers or {}),
        media_type=MediaType.JSON,
    )


def handle_yabot_error(request: Request[Any, Any, Any], exc: YabotError) -> Response[ErrorBody]:
    """Answer with the error's own code, Spanish message and detail, at the status its class maps to."""
    status = status_for(exc)
    if status == 500:  # noqa: PLR2004  (an unclassified YabotError is a bug, not a client's fault)
        return handle_unexpected(request, exc)
    headers = {}
    if isinstance(exc, NotAuthenticatedError):
        headers["WWW-Authenticate"] = CHALLENGE
    if isinstance(exc, UnavailableError):
        headers["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        log.warning(
            "%s on %s %s (correlation id %s): %r",
            exc.code,
            _echo(request.method),
            _echo(request.url.path),
            correlation_id_of(request.scope),
            exc,
        )
    return _error(status, exc.code, exc.message, exc.detail, headers)


def handle_validation_error(
    _request: Request[Any, Any, Any], exc: ValidationException
) -> Response[ErrorBody]:
    """Answer 400 ``solicitud_invalida`` naming each parameter that failed and, in Spanish, why."""
    parameters = [
        {"name": str(item["key"]), "source": _source(item.get("source")), "rule": _rule(str(item["message"]))}
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict) and "key" in item and "message" in item
    ]
    code, message = _HTTP_ERRORS[400]
    if parameters:
        names = ", ".join(f"«{parameter['name']}»" for parameter in parameters)
        message = f"La solicitud no es válida: revise {names}."
    return _error(400, code, message, {"parameters": parameters})


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    """Answer Litestar's own client errors (unknown route, method, rate limit) in our shape and language."""
    status = exc.status_code
    if status >= 500 and status != 503:  # noqa: PLR2004  (503 is an outage to wait out; the rest are bugs)
        return handle_unexpected(request, exc)
    code, message = _HTTP_ERRORS.get(status, _OTHER_CLIENT_ERROR)
    headers = dict(exc.headers or {})
    detail: dict[str, Any] = {}
    if status == 404:  # noqa: PLR2004
        detail = {"path": _echo(request.url.path)}
    elif status == 405:  # noqa: PLR2004
        allowed = _allowed_methods(headers)
        headers = {key: value for key, value in headers.items() if key.lower() != "allow"}
        headers["Allow"] = ", ".join(allowed)
        detail = {"method": _echo(request.method), "allowed": allowed}
    elif status == 429:  # noqa: PLR2004
        headers["Retry-After"] = str(_seconds_until_reset(headers))
    elif status == 503:  # noqa: PLR2004
        headers.setdefault("Retry-After", str(UNAVAILABLE_RETRY_AFTER_SECONDS))
    return _error(status, code, message, detail, headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """Answer 500 with a generic Spanish message and the correlation id; log the exception with that id."""
    correlation_id = correlation_id_of(request.scope)
    log.error(
        "unhandled %s on %s %s (correlation id %s)",
        type(exc).__name__,
        _echo(request.method),
        _echo(request.url.path),
        correlation_id,
        exc_info=exc,
        extra={"correlation_id": correlation_id},
    )
    return _error(
        500,
        YabotError.code,
        _UNEXPECTED_MESSAGE,
        {"correlation_id": correlation_id},
    )


EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {
    YabotError: handle_yabot_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
"""Litestar's ``exception_handlers``: it picks the entry of the closest class in the exception's MRO."""


API_ERROR_RESPONSES: Final = {
    400: error_response(
        "Parámetros no válidos (`solicitud_invalida`; `entrada_invalida` si los rechaza el núcleo).",
        ErrorBody(
            _HTTP_ERRORS[400][0],
            "La solicitud no es válida: revise «limit».",
            {"parameters": [{"name": "limit", "source": "query", "rule": "Debe ser menor o igual que 100."}]},
        ),
    ),
    429: error_response(
        "Demasiadas solicitudes; la cabecera `Retry-After` dice cuántos segundos esperar.",
        ErrorBody(*_HTTP_ERRORS[429], {}),
    ),
    500: error_response(
        "Error inesperado; `detail.correlation_id` identifica la solicitud en los registros.",
        ErrorBody(
            YabotError.code, _UNEXPECTED_MESSAGE, {"correlation_id": "5f0c1a9e2b7d4c38a1e6f2d9b0c4a7e3"}
        ),
    ),
    503: error_response(
        "Un servicio del que depende YABOT no responde; la cabecera `Retry-After` dice cuánto esperar.",
        ErrorBody(UnavailableError.code, UnavailableError.default_message, {}),
    ),
}
"""The errors any ``/api/v1`` route may answer, for its OpenAPI ``responses``; routes add their own."""

USER_NOT_FOUND: Final = error_response(
    "El usuario no está registrado.",
    ErrorBody("usuario_no_encontrado", "No hay ningún usuario registrado con el id 42.", {"user_id": 42}),
)
"""The 404 of a route under ``/users/{user_id}`` (a typo in an id is not an empty wallet or mochila)."""


def _echo(text: str) -> str:
    """``text`` as an error may repeat it: at most :data:`ECHO_LIMIT` characters, marked with "…" if cut."""
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def _rule(message: str) -> str:
    """Say in Spanish what a validator's (English) message asked for; the original stays out of the body."""
    match = _EXPECTED.match(message)
    if match is None:
        return "El valor no es válido."
    if match["op"]:
        return f"Debe ser {_BOUNDS[match['op']]} {match['bound']}."
    return f"Debe ser {_TYPE_NAMES.get(match['type'], 'de otro tipo')}."


def _source(source: object) -> str:
    """``"path"``, ``"query"``, ``"header"``, ``"body"``...: Litestar gives an enum or a plain string."""
    return str(getattr(source, "value", source or ""))


def _allowed_methods(headers: Mapping[str, str]) -> list[str]:
    """The methods Litestar's ``Allow`` names, and HEAD wherever GET is (the app answers it: ``app._Api``)."""
    allow = next((value for key, value in headers.items() if key.lower() == "allow"), "")
    methods = [method.strip() for method in allow.split(",") if method.strip()]
    return [*methods, "HEAD"] if "GET" in methods and "HEAD" not in methods else methods


def _seconds_until_reset(headers: Mapping[str, str]) -> int:
    """Read the rate limiter's ``RateLimit-Reset`` (seconds left in the window); at least 1."""
    reset = next((value for key, value in headers.items() if key.lower() == "ratelimit-reset"), "")
    return max(1, int(reset)) if reset.isdigit() else 60
