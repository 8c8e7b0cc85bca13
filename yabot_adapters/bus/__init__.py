"""Event bus adapters: the in-process relays of the transactional outbox."""

from yabot_adapters.bus.handlers import Route, Subscription
from yabot_adapters.bus.local import LocalEventBus

__all__ = ["LocalEventBus", "Route", "Subscription"]
