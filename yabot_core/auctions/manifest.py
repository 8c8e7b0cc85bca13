"""The auctions module's manifest."""

from typing import Final

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="auctions", title="Subastas", depends_on=("users", "wallet", "inventory", "lucien", "audit")
)

AUCTIONS_READ: Final = "auctions:read"
"""The API key scope that may read the auctions' cards (``GET /api/v1/auctions``); fans need none."""
