"""The inventory module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="inventory", title="Mochila", depends_on=("users", "lucien", "audit"))
