"""The trivia module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(name="trivia", title="Trivia", depends_on=("users", "wallet", "lucien", "audit"))
