"""The auctions module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="auctions", title="Subastas", depends_on=("users", "wallet", "inventory", "lucien")
)
