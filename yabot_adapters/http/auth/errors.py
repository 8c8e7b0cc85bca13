"""Why a request's credentials were refused, beyond the API keys module's own reasons.

Each is a ``NotAuthenticatedError`` (401) with a stable code; none repeats what the caller sent.
"""

from yabot_core.kernel import NotAuthenticatedError


class MissingCredentialsError(NotAuthenticatedError):
    """No ``Authorization`` header."""

    code = "credenciales_ausentes"
    default_message = (
        "Falta la cabecera Authorization: envíe «Bearer <clave>» o, desde la Mini App, «tma <initData>»."
    )


class MalformedCredentialsError(NotAuthenticatedError):
    """An ``Authorization`` header in a scheme we do not take, or empty."""

    code = "credenciales_malformadas"
    default_message = "La cabecera Authorization debe ser «Bearer <clave>» o «tma <initData>»."


class InvalidInitDataError(NotAuthenticatedError):
    """``initData`` that Telegram did not sign with this bot's token (forged, altered, or another bot's)."""

    code = "initdata_invalido"
    default_message = "Los datos de Telegram (initData) no son válidos para este bot."


class StaleInitDataError(NotAuthenticatedError):
    """``initData`` signed longer ago than ``YABOT_API_INITDATA_MAX_AGE``: the Mini App must reopen."""

    code = "initdata_caducado"
    default_message = "Los datos de Telegram (initData) han caducado; vuelva a abrir la aplicación."


class InitDataNotAcceptedError(NotAuthenticatedError):
    """This process has no bot token, so it cannot check ``initData``: only API keys are taken."""

    code = "initdata_no_admitido"
    default_message = (
        "Este servidor no tiene configurado el bot de Telegram y no puede comprobar initData; use una clave."
    )
