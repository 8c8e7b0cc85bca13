"""The broadcasts module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="broadcasts", title="Difusiones y avisos", depends_on=("users", "audit", "lucien")
)
