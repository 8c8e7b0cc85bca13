"""The daily gift module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="daily_gift", title="Regalo diario", depends_on=("users", "wallet", "inventory", "lucien")
)
