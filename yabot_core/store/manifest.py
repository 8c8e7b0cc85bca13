"""The tienda module's manifest."""

from typing import Final

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="store", title="Tienda", depends_on=("users", "wallet", "inventory", "subscriptions")
)

STORE_READ: Final = "store:read"
"""The API key scope that reads the tienda's catalog (prices and units left)."""
