"""The achievements (logros) module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="achievements", title="Logros", depends_on=("wallet", "inventory", "lucien"))
