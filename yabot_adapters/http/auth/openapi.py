"""How the API's security reads in its OpenAPI document: two schemes, and the 401 and 403 of every route."""

from typing import Final

from litestar.openapi.spec import SecurityScheme

from yabot_adapters.http.auth.errors import (
    InitDataNotAcceptedError,
    InvalidInitDataError,
    MalformedCredentialsError,
    MissingCredentialsError,
    StaleInitDataError,
)
from yabot_adapters.http.schemas import ErrorBody, error_response
from yabot_core.apikeys import MalformedKeyError, RevokedKeyError, UnknownKeyError
from yabot_core.kernel import ForbiddenError, YabotError

KEY_SCHEME: Final = "claveApi"
INIT_DATA_SCHEME: Final = "initDataTelegram"

SECURITY_SCHEMES: Final = {
    KEY_SCHEME: SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="yb_<id>_<secreto>",
        description=(
            "Una clave de la API creada con `yabot apikey create NOMBRE --scope ALCANCE`: "
            "`Authorization: Bearer yb_…`. Cada ruta dice qué alcance necesita."
        ),
    ),
    INIT_DATA_SCHEME: SecurityScheme(
        type="apiKey",
        name="Authorization",
        security_scheme_in="header",
        description=(
            "Para la Mini App de Telegram: `Authorization: tma <initData>`, con el `initData` tal como lo "
            "entrega Telegram (`Telegram.WebApp.initData`). Caduca según `YABOT_API_INITDATA_MAX_AGE`; el "
            "fan solo accede a sus propios datos."
        ),
    ),
}


def _example(error: type[YabotError]) -> ErrorBody:
    return ErrorBody(error.code, error.default_message, {})


AUTH_ERROR_RESPONSES: Final = {
    401: error_response(
        "Sin credenciales, o no válidas: `code` dice por qué. La cabecera `WWW-Authenticate` nombra los "
        "esquemas admitidos.",
        *(
            _example(error)
            for error in (
                MissingCredentialsError,
                MalformedCredentialsError,
                MalformedKeyError,
                UnknownKeyError,
                InvalidInitDataError,
                InitDataNotAcceptedError,
            )
        ),
        ErrorBody(RevokedKeyError.code, RevokedKeyError.default_message, {"key_id": "3f9a1c0b7e2d4a56"}),
        ErrorBody(StaleInitDataError.code, StaleInitDataError.default_message, {"max_age_seconds": 3600}),
    ),
    403: error_response(
        "Identificado, pero sin permiso: un fan que pide los datos de otro, o una clave sin el alcance.",
        ErrorBody(ForbiddenError.code, "Solo puede consultar sus propios datos.", {"user_id": 42}),
        ErrorBody(
            ForbiddenError.code,
            "La clave «panel» no tiene el alcance «users:read».",
            {"required_scope": "users:read", "key_id": "3f9a1c0b7e2d4a56"},
        ),
    ),
}
"""The 401 and 403 of every protected route, with an example of each reason."""
