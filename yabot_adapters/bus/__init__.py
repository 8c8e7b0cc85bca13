"""Event bus adapters: the in-process relay of the transactional outbox."""

from yabot_adapters.bus.local import LocalEventBus, Subscription

__all__ = ["LocalEventBus", "Subscription"]
