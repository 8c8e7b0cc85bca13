"""The HTTP API's controllers, one per area; thin: parse, call the core, shape the answer."""

from yabot_adapters.http.controllers.health import HealthController, NotReadyError, ReadinessCheck
from yabot_adapters.http.controllers.wallet import WalletController

__all__ = ["HealthController", "NotReadyError", "ReadinessCheck", "WalletController"]
