"""The missions module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="missions", title="Misiones", depends_on=("users", "wallet", "inventory", "lucien")
)
