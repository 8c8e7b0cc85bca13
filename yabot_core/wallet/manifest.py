"""The wallet module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="wallet", title="Besitos", depends_on=("users", "lucien", "audit"))
