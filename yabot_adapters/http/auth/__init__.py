"""Who may call the HTTP API: fans through Telegram's ``initData``, services and admins through API keys."""

from yabot_adapters.http.auth.access import ADMIN_ONLY, USER_DATA, Access, access_of, authorize, protected
from yabot_adapters.http.auth.authenticator import Authenticator
from yabot_adapters.http.auth.errors import (
    InitDataNotAcceptedError,
    InvalidInitDataError,
    MalformedCredentialsError,
    MissingCredentialsError,
    StaleInitDataError,
)
from yabot_adapters.http.auth.initdata import InitDataVerifier
from yabot_adapters.http.auth.middleware import AuthenticationMiddleware, rate_limit_identity
from yabot_adapters.http.auth.openapi import SECURITY_SCHEMES
from yabot_adapters.http.auth.principals import Fan, KeyHolder, Principal

__all__ = [
    "ADMIN_ONLY",
    "SECURITY_SCHEMES",
    "USER_DATA",
    "Access",
    "AuthenticationMiddleware",
    "Authenticator",
    "Fan",
    "InitDataNotAcceptedError",
    "InitDataVerifier",
    "InvalidInitDataError",
    "KeyHolder",
    "MalformedCredentialsError",
    "MissingCredentialsError",
    "Principal",
    "StaleInitDataError",
    "access_of",
    "authorize",
    "protected",
    "rate_limit_identity",
]
