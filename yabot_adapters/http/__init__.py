"""YABOT's HTTP API (Litestar): ``create_app`` and what callers of it need."""

from yabot_adapters.http.app import API_PREFIX, create_app
from yabot_adapters.http.controllers import NotReadyError, ReadinessCheck
from yabot_adapters.http.correlation import CORRELATION_HEADER
from yabot_adapters.http.errors import EXCEPTION_HANDLERS, status_for
from yabot_adapters.http.schemas import ErrorBody
from yabot_adapters.http.webhook import SECRET_HEADER, WEBHOOK_PATH, TelegramWebhook, UpdateReceiver

__all__ = [
    "API_PREFIX",
    "CORRELATION_HEADER",
    "EXCEPTION_HANDLERS",
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "ErrorBody",
    "NotReadyError",
    "ReadinessCheck",
    "TelegramWebhook",
    "UpdateReceiver",
    "create_app",
    "status_for",
]
