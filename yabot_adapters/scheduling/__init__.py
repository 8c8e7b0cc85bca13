"""Scheduling: the ticker that fires due timers as events through the outbox."""

from yabot_adapters.scheduling.ticker import Ticker

__all__ = ["Ticker"]
