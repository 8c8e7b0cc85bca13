"""The operations module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="operations",
    title="Operaciones",
    depends_on=("audit", "inventory", "store", "subscriptions", "wallet"),
)
