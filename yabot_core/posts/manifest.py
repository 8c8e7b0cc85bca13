"""The scheduled posts module's manifest."""

from yabot_core.kernel import ModuleManifest

MANIFEST = ModuleManifest(
    name="posts", title="Publicaciones programadas", depends_on=("users", "lucien", "audit")
)
