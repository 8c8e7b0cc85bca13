"""The story module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="story",
    title="Historia",
    depends_on=("users", "lucien", "wallet", "inventory", "subscriptions"),
)
