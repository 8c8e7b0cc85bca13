"""Event bus adapters: the in-process relays of the transactional outbox."""

from yabot_adapters.bus.handlers import Route, Subscription
from yabot_adapters.bus.local import LocalEventBus
from yabot_adapters.bus.routes import RoutedBus

__all__ = ["LocalEventBus", "Route", "RoutedBus", "Subscription"]
