"""The ranking module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="ranking", title="Ranking", depends_on=("users", "wallet"))
