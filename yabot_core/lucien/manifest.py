"""The lucien module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="lucien", title="La voz de Lucien", depends_on=("users",))
