"""The HTTP API's controllers, one per area; thin: parse, call the core, shape the answer."""

from yabot_adapters.http.controllers.health import HealthController, NotReadyError, ReadinessCheck
from yabot_adapters.http.controllers.wallet import wallet_controller

__all__ = ["HealthController", "NotReadyError", "ReadinessCheck", "wallet_controller"]
