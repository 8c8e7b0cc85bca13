"""Implementations of the core's ports: storage, the event bus, Telegram, HTTP."""
