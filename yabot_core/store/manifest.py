"""The tienda module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="store", title="Tienda", depends_on=("users", "wallet", "inventory", "subscriptions")
)
