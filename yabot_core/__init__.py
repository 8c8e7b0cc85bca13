"""YABOT's pure domain: models, services, events and the ports they need (stdlib and pydantic only)."""
