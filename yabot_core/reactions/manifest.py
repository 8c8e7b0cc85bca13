"""The reactions module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="reactions", title="Reacciones", depends_on=("wallet", "inventory"))
