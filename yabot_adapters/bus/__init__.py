"""Event bus adapters: the in-process relay of the transactional outbox."""

from yabot_adapters.bus.handlers import Subscription
from yabot_adapters.bus.local import LocalEventBus

__all__ = ["LocalEventBus", "Subscription"]
